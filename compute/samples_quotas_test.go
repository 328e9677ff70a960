package compute_test

import "net/http"

// The sample cases of limits, os-quota-sets and os-quota-class-sets
// (TestNovaAPISamples).

func novaQuotaSampleCases() []novaSampleCase {
	var out []novaSampleCase
	for _, v := range []string{"", "2.36", "2.39", "2.57"} {
		out = append(out, sampleFolder("limits", sampleRow{"limit-get-resp.json", v, sampleCall("GET", "/limits", "", http.StatusOK)})...)
	}
	for _, v := range []string{"", "2.36", "2.57"} {
		req := func(name string) string { return "@" + sampleFile("os-quota-sets", v, name) }
		out = append(out, sampleFolder("os-quota-sets",
			sampleRow{"quotas-show-defaults-get-resp.json", v, sampleCall("GET", "/os-quota-sets/demo/defaults", "", http.StatusOK)},
			sampleRow{"quotas-show-detail-get-resp.json", v, sampleCall("GET", "/os-quota-sets/demo/detail", "", http.StatusOK)},
			sampleRow{"quotas-show-get-resp.json", v, sampleCall("GET", "/os-quota-sets/demo", "", http.StatusOK)},
			sampleRow{"quotas-update-force-post-resp.json", v, sampleCall("PUT", "/os-quota-sets/demo", req("quotas-update-force-post-req.json"), http.StatusOK)},
			sampleRow{"quotas-update-post-resp.json", v, sampleCall("PUT", "/os-quota-sets/demo", req("quotas-update-post-req.json"), http.StatusOK)},
			sampleRow{"user-quotas-show-get-resp.json", v, sampleCall("GET", "/os-quota-sets/demo?user_id=1", "", http.StatusOK)},
			sampleRow{"user-quotas-update-post-resp.json", v, sampleCall("PUT", "/os-quota-sets/demo?user_id=1", req("user-quotas-update-post-req.json"), http.StatusOK)},
		)...)
	}
	for _, v := range []string{"", "2.50", "2.57"} {
		out = append(out, sampleFolder("os-quota-class-sets",
			sampleRow{"quota-classes-show-get-resp.json", v, sampleCall("GET", "/os-quota-class-sets/test_class", "", http.StatusOK)},
			sampleRow{"quota-classes-update-post-resp.json", v, sampleCall("PUT", "/os-quota-class-sets/test_class", "@"+sampleFile("os-quota-class-sets", v, "quota-classes-update-post-req.json"), http.StatusOK)},
		)...)
	}
	return out
}
