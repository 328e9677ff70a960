// os-aggregates (admin only): host aggregates with their hosts and
// metadata, CRUD and the add_host, remove_host and set_metadata actions;
// the image cache request (2.81). An aggregate's availability_zone is
// its metadata key of that name, as in Nova.
//
// Fidelity limits: aggregates do not change placement or the zones of
// os-availability-zone; cache_images caches nothing.

package compute

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of os-aggregates. POST /os-aggregates/{id}/action is named
// by its action.
const (
	OpListAggregates         = "compute.aggregates.list"
	OpCreateAggregate        = "compute.aggregates.create"
	OpGetAggregate           = "compute.aggregates.get"
	OpUpdateAggregate        = "compute.aggregates.update"
	OpDeleteAggregate        = "compute.aggregates.delete"
	OpAggregateAction        = "compute.aggregates.action"
	OpAggregateAddHost       = OpAggregateAction + ".add_host"
	OpAggregateRemoveHost    = OpAggregateAction + ".remove_host"
	OpAggregateSetMetadata   = OpAggregateAction + ".set_metadata"
	OpAggregateCacheImages   = "compute.aggregates.images"
	aggregateZoneMetadataKey = "availability_zone"
)

func (c *Compute) aggregateRoutes() []kit.Route {
	return []kit.Route{
		route(OpListAggregates, "GET", "/os-aggregates", c.listAggregates),
		route(OpCreateAggregate, "POST", "/os-aggregates", c.createAggregate),
		route(OpGetAggregate, "GET", "/os-aggregates/{aggregate_id}", c.getAggregate),
		route(OpUpdateAggregate, "PUT", "/os-aggregates/{aggregate_id}", c.updateAggregate),
		route(OpDeleteAggregate, "DELETE", "/os-aggregates/{aggregate_id}", c.deleteAggregate),
		{Op: OpAggregateAction, Method: "POST", Path: "/os-aggregates/{aggregate_id}/action", Handler: c.aggregateAction,
			Refine: refineAggregateAction, Ops: []string{OpAggregateAddHost, OpAggregateRemoveHost, OpAggregateSetMetadata}},
		route(OpAggregateCacheImages, "POST", "/os-aggregates/{aggregate_id}/images", c.cacheAggregateImages),
	}
}

func refineAggregateAction(_ *http.Request, body []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || len(m) != 1 {
		return ""
	}
	for k := range m {
		switch k {
		case "add_host", "remove_host", "set_metadata":
			return OpAggregateAction + "." + k
		}
	}
	return ""
}

// aggregate is one host aggregate.
type aggregate struct {
	id       int
	uuid     string
	name     string
	hosts    []string
	metadata map[string]string
	created  time.Time
	updated  time.Time
}

func (a *aggregate) removeHost(host string) bool {
	i := slices.Index(a.hosts, host)
	if i < 0 {
		return false
	}
	a.hosts = slices.Delete(slices.Clone(a.hosts), i, i+1)
	return true
}

func (a *aggregate) zone() *string {
	if z, ok := a.metadata[aggregateZoneMetadataKey]; ok {
		return &z
	}
	return nil
}

// aggregateJSON is an aggregate as Nova marshals it; hosts and metadata
// are left out of the create's answer, uuid before 2.41.
type aggregateJSON struct {
	AvailabilityZone *string            `json:"availability_zone"`
	CreatedAt        string             `json:"created_at"`
	Deleted          bool               `json:"deleted"`
	DeletedAt        *string            `json:"deleted_at"`
	Hosts            *[]string          `json:"hosts,omitempty"`
	ID               int                `json:"id"`
	Metadata         *map[string]string `json:"metadata,omitempty"`
	Name             string             `json:"name"`
	UpdatedAt        *string            `json:"updated_at"`
	UUID             string             `json:"uuid,omitempty"`
}

func aggregateView(call *kit.Call, a *aggregate, full bool) aggregateJSON {
	out := aggregateJSON{AvailabilityZone: a.zone(), CreatedAt: pyIsoformat(a.created), ID: a.id, Name: a.name}
	if !a.updated.IsZero() {
		out.UpdatedAt = ptr(pyIsoformat(a.updated))
	}
	if versionOf(call).AtLeast(41) {
		out.UUID = a.uuid
	}
	if full {
		out.Hosts = ptr(append([]string{}, a.hosts...))
		out.Metadata = ptr(maps.Clone(nonNilMap(a.metadata)))
	}
	return out
}

type aggregateBody struct {
	Aggregate aggregateJSON `json:"aggregate"`
}

type aggregateList struct {
	Aggregates []aggregateJSON `json:"aggregates"`
}

func aggregatePolicy(call *kit.Call, action string) error {
	return nvAdminOnly(call, "os_compute_api:os-aggregates:"+action)
}

// aggregateLocked finds an aggregate by its integer ID.
func (c *Compute) aggregateLocked(call *kit.Call) (*aggregate, error) {
	raw := call.Var("aggregate_id")
	id, err := strconv.Atoi(raw)
	if err != nil {
		return nil, kit.BadRequest("Invalid input received: id must be an integer")
	}
	a, ok := c.admin.aggregates[id]
	if !ok {
		return nil, kit.NotFound("Aggregate %s could not be found.", raw)
	}
	return a, nil
}

func (c *Compute) sortedAggregatesLocked() []*aggregate {
	out := make([]*aggregate, 0, len(c.admin.aggregates))
	for _, a := range c.admin.aggregates {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func (c *Compute) listAggregates(call *kit.Call) (kit.Reply, error) {
	if err := aggregatePolicy(call, "index"); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	body := aggregateList{Aggregates: []aggregateJSON{}}
	for _, a := range c.sortedAggregatesLocked() {
		body.Aggregates = append(body.Aggregates, aggregateView(call, a, true))
	}
	return kit.OK(body), nil
}

// aggregateFields is the body of create and update.
type aggregateFields struct {
	Name *string         `json:"name"`
	Zone json.RawMessage `json:"availability_zone"`
}

// parseAggregateFields applies the create (name required) or update (one
// of name and availability_zone) schema; zone is nil for null or absent.
func parseAggregateFields(call *kit.Call, create bool) (name, zone *string, err error) {
	var in aggregateFields
	wrapper, err := decodeWrapped(call.Body, "aggregate", map[string]bool{"name": true, "availability_zone": true}, &in)
	if err != nil {
		return nil, nil, err
	}
	if err := nvOnlyKeys(wrapper, "aggregate"); err != nil {
		return nil, nil, err
	}
	switch {
	case create && in.Name == nil:
		return nil, nil, kit.BadRequest("Invalid input for field/attribute aggregate. Value: %s. 'name' is a required property", pyValue(wrapper["aggregate"]))
	case !create && in.Name == nil && in.Zone == nil:
		return nil, nil, kit.BadRequest("Invalid input for field/attribute aggregate. Value: %s. %s is not valid under any of the given schemas", pyValue(wrapper["aggregate"]), pyRepr(wrapper["aggregate"]))
	}
	if in.Name != nil {
		if err := checkName(call, "name", *in.Name); err != nil {
			return nil, nil, err
		}
		name = ptr(strings.TrimSpace(*in.Name))
	}
	if in.Zone != nil && !isJSONNull(in.Zone) {
		var z string
		if json.Unmarshal(in.Zone, &z) != nil || z == "" || len(z) > 255 || strings.Contains(z, ":") {
			return nil, nil, nvFieldErr("availability_zone", in.Zone, "%s is not valid under any of the given schemas", pyRepr(in.Zone))
		}
		zone = ptr(strings.TrimSpace(z))
	}
	return name, zone, nil
}

// checkAggregateNameLocked refuses a name another aggregate has.
func (c *Compute) checkAggregateNameLocked(name string, self int) error {
	for _, other := range c.admin.aggregates {
		if other.name == name && other.id != self {
			return kit.Conflict("Aggregate %s already exists.", name)
		}
	}
	return nil
}

func (c *Compute) createAggregate(call *kit.Call) (kit.Reply, error) {
	name, zone, err := parseAggregateFields(call, true)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := aggregatePolicy(call, "create"); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.checkAggregateNameLocked(*name, 0); err != nil {
		return kit.Reply{}, err
	}
	c.admin.aggregateSeq++
	a := &aggregate{id: c.admin.aggregateSeq, uuid: c.RNG().UUID(), name: *name, metadata: map[string]string{}, created: c.Now()}
	if zone != nil {
		a.metadata[aggregateZoneMetadataKey] = *zone
	}
	c.admin.aggregates[a.id] = a
	return kit.OK(aggregateBody{aggregateView(call, a, false)}), nil
}

func (c *Compute) getAggregate(call *kit.Call) (kit.Reply, error) {
	if err := aggregatePolicy(call, "show"); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	a, err := c.aggregateLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(aggregateBody{aggregateView(call, a, true)}), nil
}

func (c *Compute) updateAggregate(call *kit.Call) (kit.Reply, error) {
	name, zone, err := parseAggregateFields(call, false)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := aggregatePolicy(call, "update"); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	a, err := c.aggregateLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if name != nil {
		if err := c.checkAggregateNameLocked(*name, a.id); err != nil {
			return kit.Reply{}, err
		}
		a.name = *name
	}
	if zone != nil {
		a.metadata = maps.Clone(a.metadata)
		a.metadata[aggregateZoneMetadataKey] = *zone
	}
	a.updated = c.Now()
	return kit.OK(aggregateBody{aggregateView(call, a, true)}), nil
}

func (c *Compute) deleteAggregate(call *kit.Call) (kit.Reply, error) {
	if err := aggregatePolicy(call, "delete"); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	a, err := c.aggregateLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if len(a.hosts) > 0 {
		return kit.Reply{}, kit.BadRequest("Cannot remove aggregate %d. Reason: Host aggregate is not empty.", a.id)
	}
	delete(c.admin.aggregates, a.id)
	return kit.Status(http.StatusOK), nil
}

// aggregateActionArg decodes {"<action>": {<member>: …}} with only that
// member allowed, and returns it (nil when absent).
func aggregateActionArg(body []byte, action, member string) (json.RawMessage, error) {
	var members map[string]json.RawMessage
	wrapper, err := decodeWrapped(body, action, map[string]bool{member: true}, &members)
	if err != nil {
		return nil, err
	}
	if err := nvOnlyKeys(wrapper, action); err != nil {
		return nil, err
	}
	raw, ok := members[member]
	if !ok {
		return nil, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' is a required property", action, pyValue(wrapper[action]), member)
	}
	return raw, nil
}

func (c *Compute) aggregateAction(call *kit.Call) (kit.Reply, error) {
	m, err := rootMembers(call.Body)
	if err != nil {
		return kit.Reply{}, err
	}
	var action string
	for k := range m {
		action = k
	}
	if len(m) != 1 || (action != "add_host" && action != "remove_host" && action != "set_metadata") {
		return kit.Reply{}, kit.BadRequest("There is no such action: %s", action)
	}
	member := "host"
	if action == "set_metadata" {
		member = "metadata"
	}
	raw, err := aggregateActionArg(call.Body, action, member)
	if err != nil {
		return kit.Reply{}, err
	}
	if err := aggregatePolicy(call, action); err != nil {
		return kit.Reply{}, err
	}
	if action == "set_metadata" {
		return c.setAggregateMetadata(call, raw)
	}
	var host string
	if json.Unmarshal(raw, &host) != nil || host == "" || len(host) > 255 {
		return kit.Reply{}, nvFieldErr("host", raw, "%s is not a valid hostname", pyRepr(raw))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	a, err := c.aggregateLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	if action == "remove_host" {
		if !a.removeHost(host) {
			return kit.Reply{}, kit.NotFound("Cannot remove host %s in aggregate %d", host, a.id)
		}
		a.updated = c.Now()
		return kit.OK(aggregateBody{aggregateView(call, a, true)}), nil
	}
	if err := c.addAggregateHostLocked(a, host); err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(aggregateBody{aggregateView(call, a, true)}), nil
}

// addAggregateHostLocked adds a compute host, which must not be in another
// aggregate of another availability zone.
func (c *Compute) addAggregateHostLocked(a *aggregate, host string) error {
	if _, ok := c.computeServiceLocked(host); !ok {
		return kit.NotFound("Compute host %s could not be found.", host)
	}
	if slices.Contains(a.hosts, host) {
		return kit.Conflict("Aggregate %d already has host %s.", a.id, host)
	}
	if z := a.zone(); z != nil {
		for _, other := range c.admin.aggregates {
			if oz := other.zone(); other.id != a.id && oz != nil && *oz != *z && slices.Contains(other.hosts, host) {
				return kit.Conflict("Cannot add host to aggregate %d. Reason: One or more hosts already in availability zone(s) ['%s'].", a.id, *oz)
			}
		}
	}
	a.hosts = append(slices.Clone(a.hosts), host)
	a.updated = c.Now()
	return nil
}

// setAggregateMetadata merges the metadata: a null value removes its key.
func (c *Compute) setAggregateMetadata(call *kit.Call, raw json.RawMessage) (kit.Reply, error) {
	var md map[string]*string
	if json.Unmarshal(raw, &md) != nil {
		return kit.Reply{}, nvFieldErr("metadata", raw, "%s is not of type 'object'", pyRepr(raw))
	}
	for k, v := range md {
		if k == "" || len(k) > 255 || v != nil && len(*v) > 255 {
			return kit.Reply{}, nvFieldErr("metadata", raw, "Additional properties are not allowed ('%s' was unexpected)", k)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	a, err := c.aggregateLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	next := maps.Clone(nonNilMap(a.metadata))
	for k, v := range md {
		if v == nil {
			delete(next, k)
			continue
		}
		next[k] = *v
	}
	a.metadata = next
	a.updated = c.Now()
	return kit.OK(aggregateBody{aggregateView(call, a, true)}), nil
}

// cacheAggregateImages is POST /os-aggregates/{id}/images (2.81): the
// images must exist and be named once each.
func (c *Compute) cacheAggregateImages(call *kit.Call) (kit.Reply, error) {
	if err := atLeastOr404(call, 81); err != nil {
		return kit.Reply{}, err
	}
	m, err := rootMembers(call.Body)
	if err != nil {
		return kit.Reply{}, err
	}
	raw, ok := m["cache"]
	if !ok {
		return kit.Reply{}, kit.BadRequest("'cache' is a required property")
	}
	if err := nvOnlyKeys(m, "cache"); err != nil {
		return kit.Reply{}, err
	}
	var items []struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &items) != nil || len(items) == 0 {
		return kit.Reply{}, nvFieldErr("cache", raw, "%s is not of type 'array'", pyRepr(raw))
	}
	if err := nvAdminOnly(call, "compute:aggregates:images"); err != nil {
		return kit.Reply{}, err
	}
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.ID] {
			return kit.Reply{}, kit.BadRequest("Duplicate images in request")
		}
		seen[it.ID] = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.aggregateLocked(call); err != nil {
		return kit.Reply{}, err
	}
	for _, it := range items {
		if _, ok := c.images[it.ID]; !ok {
			return kit.Reply{}, kit.BadRequest("Image %s could not be found.", it.ID)
		}
	}
	return kit.Status(http.StatusAccepted), nil
}
