package triton

import (
	"encoding/json"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Machine is a VMAPI VM as CloudAPI renders it (lib/machines.js translate).
type Machine struct {
	ID                 string         `json:"id"`
	Name               string         `json:"name"`
	Type               string         `json:"type"`
	Brand              string         `json:"brand"`
	State              string         `json:"state"`
	Image              string         `json:"image"`
	IPs                []string       `json:"ips"`
	Memory             int64          `json:"memory"`
	Disk               int64          `json:"disk"`
	DeletionProtection bool           `json:"deletion_protection"`
	Metadata           map[string]any `json:"metadata"`
	Tags               map[string]any `json:"tags"`
	Created            string         `json:"created"`
	Updated            string         `json:"updated"`
	Networks           *[]string      `json:"networks,omitempty"`
	PrimaryIP          string         `json:"primaryIp,omitempty"`
	NICs               []MachineNIC   `json:"nics,omitempty"`
	FirewallEnabled    bool           `json:"firewall_enabled"`
	ComputeNode        string         `json:"compute_node,omitempty"`
	Package            string         `json:"package"`
	Disks              []MachineDisk  `json:"disks,omitempty"`
}

// MachineNIC is a NIC as CloudAPI renders it (lib/nics.js formatNic).
type MachineNIC struct {
	IP      string `json:"ip"`
	MAC     string `json:"mac"`
	Primary bool   `json:"primary"`
	Netmask string `json:"netmask"`
	Gateway string `json:"gateway,omitempty"`
	State   string `json:"state"`
	Network string `json:"network"`
}

// MachineDisk is a bhyve disk as CloudAPI renders it.
type MachineDisk struct {
	ID    string `json:"id"`
	Size  int64  `json:"size"`
	Boot  bool   `json:"boot,omitempty"`
	Image string `json:"image,omitempty"`
	State string `json:"state,omitempty"`
}

// machineState is CloudAPI's translateState of a VMAPI state.
func machineState(state string) string {
	switch state {
	case "configured", "incomplete", "unavailable", "provisioning":
		return "provisioning"
	case "ready", "running", "failed":
		return state
	case "halting", "stopping", "shutting_down":
		return "stopping"
	case "off", "down", "installed", "stopped":
		return "stopped"
	case "unreachable":
		return "offline"
	case "destroyed":
		return "deleted"
	}
	return "unknown"
}

// beforeNetworks is CloudAPI's BEFORE_NETWORK_VERSION_RE: clients asking
// for ~7.0 get no "networks" in machines.
var beforeNetworks = regexp.MustCompile(`^~?7\.0(\.\d+)?$`)

func isHVM(brand string) bool { return brand == "kvm" || brand == "bhyve" }

func renderNIC(n *nic, state string) MachineNIC {
	r := n.render()
	return MachineNIC{IP: r.IP, MAC: r.MAC, Primary: n.primary, Netmask: r.Netmask, Gateway: r.Gateway, State: state, Network: r.NetworkUUID}
}

// machineLocked renders v as CloudAPI does for a client that asked for
// version requested.
func (t *Triton) machineLocked(v *vm, requested string) Machine {
	m := Machine{ID: v.uuid, Name: v.alias, Type: "smartmachine", Brand: v.brand, State: machineState(v.state),
		Image: v.imageUUID, IPs: []string{}, Memory: v.ram, Disk: v.quota * 1024, DeletionProtection: v.indestructible,
		Metadata: cloneMap(v.customerMD), Tags: cloneMap(v.tags), Created: iso(v.created), Updated: iso(v.modified),
		FirewallEnabled: v.firewall}
	if isHVM(v.brand) {
		m.Type = "virtualmachine"
		if len(v.disks) > 1 {
			m.Disk = v.disks[1].Size
		}
	}
	if !beforeNetworks.MatchString(requested) {
		m.Networks = &[]string{}
	}
	for _, n := range v.nics {
		r := renderNIC(n, "running")
		m.NICs = append(m.NICs, r)
		m.IPs = append(m.IPs, r.IP)
		if m.Networks != nil {
			*m.Networks = append(*m.Networks, r.Network)
		}
		if n.primary || m.PrimaryIP == "" {
			m.PrimaryIP = r.IP
		}
	}
	if v.server != nil {
		m.ComputeNode = v.server.uuid
	}
	for _, p := range t.dc.packages {
		if p.ID == v.billingID {
			m.Package = p.Name
			break
		}
	}
	if v.brand == "bhyve" {
		for _, d := range v.disks {
			m.Disks = append(m.Disks, MachineDisk{ID: d.UUID, Size: d.Size, Boot: d.Boot, Image: d.Image})
		}
	}
	return m
}

// ownMachineLocked is the caller's machine named in the path; 404 "VM not
// found" for another owner's or none.
func (t *Triton) ownMachineLocked(c *kit.Call) (*vm, error) {
	v := t.dc.vms[c.Var("machine")]
	if v == nil || v.ownerUUID != c.Principal.UserID {
		return nil, kit.NotFound("VM not found")
	}
	return v, nil
}

// liveMachineLocked is ownMachineLocked, with 410 and the machine when it
// is deleted.
func (t *Triton) liveMachineLocked(c *kit.Call) (*vm, *kit.Reply, error) {
	v, err := t.ownMachineLocked(c)
	if err != nil {
		return nil, nil, err
	}
	if v.state == "destroyed" {
		r := kit.JSON(http.StatusGone, t.machineLocked(v, requestedVersion(c.Request)))
		return nil, &r, nil
	}
	return v, nil, nil
}

// machineQuery is ListMachines' query, as getListOptions reads it.
type machineQuery struct {
	filter        vmFilter
	kind          string // smartmachine, virtualmachine
	anyTags       bool
	limit, offset int
}

func parseMachineQuery(q map[string][]string, owner string) (machineQuery, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	mq := machineQuery{filter: vmFilter{owner: owner, alias: get("name"), brand: get("brand"), image: get("image")}, limit: 1000}
	switch s := get("state"); s {
	case "provisioning", "stopping", "active":
		mq.filter.state = "active"
	case "stopped", "running", "destroyed":
		mq.filter.state = s
	case "unknown":
		mq.filter.state = "unknown"
	case "":
	default:
		return mq, invalidArgument(s + " is not a valid state")
	}
	switch k := get("type"); k {
	case "", "smartmachine", "virtualmachine":
		mq.kind = k
	default:
		return mq, invalidArgument(k + " is not a valid type")
	}
	for _, n := range []struct {
		name string
		dst  *int
		max  int
	}{{"limit", &mq.limit, 1000}, {"offset", &mq.offset, -1}} {
		s := get(n.name)
		if s == "" {
			continue
		}
		x, err := strconv.Atoi(s)
		if err != nil || x < 0 || n.max > 0 && (x < 1 || x > n.max) {
			return mq, invalidArgument("Invalid " + n.name + ": " + s)
		}
		*n.dst = x
	}
	if m := get("memory"); m != "" {
		x, err := strconv.ParseInt(m, 10, 64)
		if err != nil {
			return mq, invalidArgument("Invalid memory: " + m)
		}
		mq.filter.ram = x
	}
	for k, vs := range q {
		if strings.HasPrefix(k, "tag.") && len(vs) > 0 {
			if mq.filter.tags == nil {
				mq.filter.tags = map[string]string{}
			}
			mq.filter.tags[strings.TrimPrefix(k, "tag.")] = vs[0]
		}
	}
	mq.anyTags = get("tags") == "*"
	if t := get("tombstone"); (t == "" || t == "false") && mq.filter.state == "" {
		mq.filter.state = "active"
	}
	return mq, nil
}

func (mq machineQuery) match(v *vm) bool {
	switch {
	case !mq.filter.match(v),
		mq.kind == "smartmachine" && isHVM(v.brand),
		mq.kind == "virtualmachine" && !isHVM(v.brand),
		mq.anyTags && len(v.tags) == 0:
		return false
	}
	return true
}

// listMachines is ListMachines: the caller's machines, newest first;
// x-query-limit is the limit, x-resource-count this page's length.
func (t *Triton) listMachines(c *kit.Call) (kit.Reply, error) {
	mq, err := parseMachineQuery(c.Query(), c.Principal.UserID)
	if err != nil {
		return kit.Reply{}, err
	}
	requested := requestedVersion(c.Request)
	t.lock()
	defer t.mu.Unlock()
	out := []Machine{}
	seen := 0
	for i := len(t.dc.vmOrder) - 1; i >= 0 && len(out) < mq.limit; i-- {
		v := t.dc.vmOrder[i]
		if v.ownerUUID != mq.filter.owner || !mq.match(v) {
			continue
		}
		if seen >= mq.offset {
			out = append(out, t.machineLocked(v, requested))
		}
		seen++
	}
	c.Header().Set("x-query-limit", itoa(mq.limit))
	c.Header().Set("x-resource-count", itoa(len(out)))
	if c.Request.Method == http.MethodHead {
		return kit.Status(http.StatusOK), nil
	}
	return kit.OK(out), nil
}

func (t *Triton) getMachine(c *kit.Call) (kit.Reply, error) {
	t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.liveMachineLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	return kit.OK(t.machineLocked(v, requestedVersion(c.Request))), nil
}

func derefReply(r *kit.Reply) kit.Reply {
	if r == nil {
		return kit.Reply{}
	}
	return *r
}

// deleteMachine is DeleteMachine: 204 and a destroy job; 409 with
// deletion protection on; 410 once deleted.
func (t *Triton) deleteMachine(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	v, gone, err := t.liveMachineLocked(c)
	if err != nil || gone != nil {
		return derefReply(gone), err
	}
	if v.indestructible {
		return kit.Reply{}, restError(http.StatusConflict, "CannotDestroyMachineError",
			`Instance has "deletion_protection" enabled, preventing deletion`)
	}
	for i := len(t.dc.jobOrder) - 1; i >= 0; i-- {
		if j := t.dc.jobOrder[i]; j.vmUUID == v.uuid && j.wf.name == "destroy" && !j.finished {
			return kit.Status(http.StatusNoContent), nil
		}
	}
	t.vmJobLocked("destroy", v, nil, now, func(now time.Time) { t.destroyVMLocked(v, now) })
	return kit.Status(http.StatusNoContent), nil
}

// machineCreate is CreateMachine's body, but for its metadata.* and tag.*
// keys.
type machineCreate struct {
	Name               string       `json:"name"`
	Package            string       `json:"package"`
	Image              string       `json:"image"`
	Brand              string       `json:"brand"`
	Networks           []NetworkRef `json:"networks"`
	Affinity           []string     `json:"affinity"`
	FirewallEnabled    bool         `json:"firewall_enabled"`
	DeletionProtection bool         `json:"deletion_protection"`
	Tags               map[string]any
	Metadata           map[string]any
}

func parseMachineCreate(c *kit.Call) (machineCreate, error) {
	var in machineCreate
	if err := decodeCloudAPI(c, &in); err != nil {
		return in, err
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(c.Body, &raw)
	in.Tags, in.Metadata = map[string]any{}, map[string]any{}
	for k, v := range raw {
		var val any
		if err := json.Unmarshal(v, &val); err != nil {
			continue
		}
		switch {
		case strings.HasPrefix(k, "tag.") && len(k) > 4:
			in.Tags[k[4:]] = val
		case strings.HasPrefix(k, "metadata.") && len(k) > 9:
			in.Metadata[k[9:]] = metadataString(val)
		}
	}
	return in, nil
}

// metadataString is a customer_metadata value as CloudAPI stores it: a
// string, anything else as its JSON.
func metadataString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// brandFor is the brand CloudAPI picks for an image.
func brandFor(im *Image, asked string) string {
	if asked != "" {
		return asked
	}
	if b, ok := im.Requirements["brand"].(string); ok && b != "" {
		return b
	}
	switch im.Type {
	case "lx-dataset", "docker":
		return "lx"
	case "zvol":
		return "kvm"
	}
	return "joyent"
}

// createMachine is CreateMachine: a VMAPI provision of the image with the
// package, on the allocator's server, with NICs from NAPI; 201 with the
// machine (provisioning) and its Location.
func (t *Triton) createMachine(c *kit.Call) (kit.Reply, error) {
	in, err := parseMachineCreate(c)
	if err != nil {
		return kit.Reply{}, err
	}
	now := t.lock()
	defer t.mu.Unlock()
	a := t.callerLocked(c)
	cv, err := t.machineCreateVMLocked(a, in)
	if err != nil {
		return kit.Reply{}, err
	}
	v, _, err := t.createVMLocked(cv, now)
	if err != nil {
		return kit.Reply{}, err
	}
	v.indestructible = in.DeletionProtection
	c.Header().Set("Location", "/"+a.Login+"/machines/"+v.uuid)
	return kit.JSON(http.StatusCreated, t.machineLocked(v, requestedVersion(c.Request))), nil
}

// machineCreateVMLocked checks a CreateMachine and builds VMAPI's CreateVm
// from it, in CloudAPI's order (lib/machines.js): the image, the package
// (PAPI's default when none is named, as CloudAPI still does), a key, the networks (external by default), the name with {{shortId}},
// and the affinity rules as servers to use or avoid.
func (t *Triton) machineCreateVMLocked(a *account, in machineCreate) (CreateVM, error) {
	if in.Image == "" {
		return CreateVM{}, missingParameter("image must be specified")
	}
	im := t.imageLocked(in.Image, a.UUID)
	switch {
	case im == nil:
		return CreateVM{}, invalidArgument(in.Image + " is not a valid image")
	case im.State != "active":
		return CreateVM{}, invalidArgument("image " + in.Image + " is not active")
	}
	var pkg *Package
	if in.Package == "" {
		for _, p := range t.dc.packages {
			if p.Default {
				pkg = p
			}
		}
		if pkg == nil {
			return CreateVM{}, missingParameter("package must be specified")
		}
	} else if pkg = t.packageLocked(in.Package); pkg == nil {
		return CreateVM{}, invalidArgument(in.Package + " is not a valid package")
	}
	if len(a.keys) == 0 {
		return CreateVM{}, restError(http.StatusConflict, "KeyRequired", "At least one SSH key is required to provision")
	}
	uuid := t.newUUID()
	name := strings.ReplaceAll(in.Name, "{{shortId}}", uuid[:8])
	if name == "" {
		name = uuid[:8]
	}
	nets := in.Networks
	if len(nets) == 0 {
		ext := t.networkLocked("external")
		if ext == nil {
			return CreateVM{}, invalidArgument("No default network")
		}
		nets = []NetworkRef{{UUID: ext.UUID}}
	}
	for _, r := range nets {
		n := t.dc.networks[r.UUID]
		if n == nil || !n.visibleTo(a.UUID) {
			return CreateVM{}, invalidArgument("Invalid Networks")
		}
	}
	servers, avoid, err := t.affinityLocked(a.UUID, in.Affinity)
	if err != nil {
		return CreateVM{}, err
	}
	md := in.Metadata
	var keys []string
	for _, k := range a.keys {
		keys = append(keys, k.Key)
	}
	md["root_authorized_keys"] = strings.Join(keys, "\n") + "\n"
	quota := pkg.Disk / 1024
	cv := CreateVM{UUID: uuid, OwnerUUID: a.UUID, Alias: name, Brand: brandFor(im, in.Brand), ImageUUID: im.ID,
		BillingID: pkg.ID, RAM: pkg.Memory, Quota: &quota, CPUCap: pkg.VCPUs * 100, Networks: nets, Tags: in.Tags,
		CustomerMetadata: md, FirewallEnabled: in.FirewallEnabled, avoid: avoid, servers: servers}
	if isHVM(cv.Brand) {
		cv.Disks = []Disk{{UUID: t.newUUID(), Size: 10240, Boot: true, Image: im.ID, Model: "virtio"},
			{UUID: t.newUUID(), Size: pkg.Disk, Model: "virtio"}}
	}
	return cv, nil
}

// affinityRule is one of CreateMachine's affinity rules:
// <key><op><value>, op one of == != ==~ !=~.
var affinityRule = regexp.MustCompile(`^([a-zA-Z0-9_.:-]+)\s*(==~|!=~|==|!=)\s*(.+)$`)

// affinityLocked turns affinity rules into servers to place on (== rules:
// where a matching instance is) and to avoid (!= rules). Instances match
// by name or ID ("instance" or "container" as the key) or by a tag;
// values are exact, globs, or /regular expressions/. A soft rule (~) that
// cannot be met is dropped.
func (t *Triton) affinityLocked(owner string, rules []string) ([]string, map[string]bool, error) {
	var servers []string
	var avoid map[string]bool
	for _, r := range rules {
		m := affinityRule.FindStringSubmatch(r)
		if m == nil {
			return nil, nil, invalidArgument("could not find operator in affinity rule: " + r)
		}
		key, op, value := m[1], m[2], m[3]
		match, err := affinityMatcher(value)
		if err != nil {
			return nil, nil, err
		}
		hosts := map[string]bool{}
		for _, v := range t.dc.vmOrder {
			if v.ownerUUID != owner || !v.live() || v.server == nil {
				continue
			}
			var subject string
			if key == "instance" || key == "container" {
				if match(v.uuid) {
					hosts[v.server.uuid] = true
					continue
				}
				subject = v.alias
			} else if tag, ok := v.tags[key]; ok {
				subject = fmtAny(tag)
			} else {
				continue
			}
			if match(subject) {
				hosts[v.server.uuid] = true
			}
		}
		switch op {
		case "==", "==~":
			if len(hosts) == 0 {
				if op == "==" {
					return nil, nil, noAllocatable("no active instances match affinity rule " + r)
				}
				continue
			}
			for h := range hosts {
				servers = append(servers, h)
			}
		default:
			if avoid == nil {
				avoid = map[string]bool{}
			}
			for h := range hosts {
				avoid[h] = true
			}
		}
	}
	return servers, avoid, nil
}

func affinityMatcher(value string) (func(string) bool, error) {
	if len(value) > 2 && strings.HasPrefix(value, "/") && strings.HasSuffix(value, "/") {
		re, err := regexp.Compile(value[1 : len(value)-1])
		if err != nil {
			return nil, invalidArgument("invalid regular expression in affinity rule: " + value)
		}
		return re.MatchString, nil
	}
	if strings.ContainsAny(value, "*?") {
		return func(s string) bool { ok, _ := path.Match(value, s); return ok }, nil
	}
	return func(s string) bool { return s == value }, nil
}
