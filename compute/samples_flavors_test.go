package compute_test

import "net/http"

// The sample cases of flavors, flavor-manage, flavor-extra-specs and
// flavor-access (TestNovaAPISamples).

func novaFlavorSampleCases() []novaSampleCase {
	var out []novaSampleCase
	for _, v := range []string{"", "2.55", "2.61", "2.75", "2.102"} {
		out = append(out, sampleFolder("flavors",
			sampleRow{"flavor-get-resp.json", v, sampleCall("GET", "/flavors/1", "", http.StatusOK)},
			sampleRow{"flavors-detail-resp.json", v, sampleCall("GET", "/flavors/detail", "", http.StatusOK)},
			sampleRow{"flavors-list-resp.json", v, sampleCall("GET", "/flavors", "", http.StatusOK)},
		)...)
		create := "@" + sampleFile("flavor-manage", v, "flavor-create-post-req.json")
		out = append(out, sampleFolder("flavor-manage",
			sampleRow{"flavor-create-post-resp.json", v, sampleCall("POST", "/flavors", create, http.StatusOK)})...)
		if v != "" {
			out = append(out, sampleFolder("flavor-manage",
				sampleRow{"flavor-update-resp.json", v, sampleSteps([][3]string{{"POST", "/flavors", create}},
					"PUT", "/flavors/10", "@"+sampleFile("flavor-manage", v, "flavor-update-req.json"), http.StatusOK)})...)
		}
	}
	specs := [][3]string{{"POST", "/flavors/1/os-extra_specs", "@flavor-extra-specs/flavor-extra-specs-create-req.json"}}
	out = append(out, sampleFolder("flavor-extra-specs",
		sampleRow{"flavor-extra-specs-create-resp.json", "", sampleCall("POST", "/flavors/1/os-extra_specs", "@flavor-extra-specs/flavor-extra-specs-create-req.json", http.StatusOK)},
		sampleRow{"flavor-extra-specs-get-resp.json", "", sampleSteps(specs, "GET", "/flavors/1/os-extra_specs/hw:numa_nodes", "", http.StatusOK)},
		sampleRow{"flavor-extra-specs-list-resp.json", "", sampleSteps(specs, "GET", "/flavors/1/os-extra_specs", "", http.StatusOK)},
		sampleRow{"flavor-extra-specs-update-resp.json", "", sampleSteps(specs, "PUT", "/flavors/1/os-extra_specs/hw:numa_nodes", "@flavor-extra-specs/flavor-extra-specs-update-req.json", http.StatusOK)},
	)...)
	private := [][3]string{{"POST", "/flavors", "@flavor-access/flavor-create-req.json"}}
	added := append(private, [3]string{"POST", "/flavors/10/action", "@flavor-access/flavor-access-add-tenant-req.json"})
	return append(out, sampleFolder("flavor-access",
		sampleRow{"flavor-access-add-tenant-resp.json", "", sampleSteps(private, "POST", "/flavors/10/action", "@flavor-access/flavor-access-add-tenant-req.json", http.StatusOK)},
		sampleRow{"flavor-access-list-resp.json", "", sampleSteps(added, "GET", "/flavors/10/os-flavor-access", "", http.StatusOK)},
		sampleRow{"flavor-access-remove-tenant-resp.json", "", sampleSteps(added, "POST", "/flavors/10/action", "@flavor-access/flavor-access-remove-tenant-req.json", http.StatusOK)},
	)...)
}
