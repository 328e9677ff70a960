package mockcloud

import (
	"fmt"
	"sort"
	"strings"

	"github.com/mockcloud/mockcloud/fake"
)

// Inject adds a fault rule across every service; narrow it with Service,
// Region, Op, Method and Path. It panics on a rule that cannot work or
// that names an op, service or region the Cloud does not have: a broken
// rule in a test table is a bug to find at once. AddFault returns the
// error instead.
func (c *Cloud) Inject(f fake.Fault) *fake.FaultHandle {
	h, err := c.AddFault(f)
	if err != nil {
		panic(err.Error())
	}
	return h
}

// AddFault adds a fault rule, or says why it could never fire: an invalid
// rule, or one naming an op, a service or a region that is not mounted
// (with the closest names there are).
func (c *Cloud) AddFault(f fake.Fault) (*fake.FaultHandle, error) {
	if err := c.checkFault(f); err != nil {
		return nil, err
	}
	h, err := c.env.Faults.Add(f)
	if err != nil {
		return nil, fmt.Errorf("mockcloud: invalid fault: %v", err)
	}
	return h, nil
}

// checkFault refuses a rule whose names match nothing the Cloud serves.
func (c *Cloud) checkFault(f fake.Fault) error {
	services := map[string]bool{}
	var names []string
	for _, i := range c.instances {
		if !services[i.desc.Name] {
			services[i.desc.Name] = true
			names = append(names, i.desc.Name)
		}
	}
	if f.Service != "" && !services[f.Service] {
		return fmt.Errorf("mockcloud: fault names service %q, which is not mounted%s", f.Service, closest(f.Service, names))
	}
	if f.Region != "" && !contains(c.regions, f.Region) {
		return fmt.Errorf("mockcloud: fault names region %q, which the Cloud does not serve%s", f.Region, closest(f.Region, c.regions))
	}
	if f.Op == "" {
		return nil
	}
	ops := c.opsOf(f.Service)
	prefix, isPrefix := strings.CutSuffix(f.Op, "*")
	for _, op := range ops {
		if op == f.Op || (isPrefix && strings.HasPrefix(op, prefix)) {
			return nil
		}
	}
	return fmt.Errorf("mockcloud: fault names op %q, which no mounted service has%s", f.Op, closest(f.Op, ops))
}

// opsOf lists the ops of the service named name, or of every service.
func (c *Cloud) opsOf(name string) []string {
	if name == "" {
		return c.Ops()
	}
	var out []string
	for _, i := range c.instances {
		if i.desc.Name == name {
			out = append(out, i.inst.Ops()...)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// closest is "; did you mean …?" with up to three of candidates nearest
// to s by edit distance, or "" when none is near.
func closest(s string, candidates []string) string {
	type scored struct {
		name string
		d    int
	}
	var near []scored
	for _, c := range candidates {
		if d := editDistance(s, c); d <= len(s)/2+2 {
			near = append(near, scored{c, d})
		}
	}
	if len(near) == 0 {
		return ""
	}
	sort.SliceStable(near, func(i, j int) bool { return near[i].d < near[j].d })
	if len(near) > 3 {
		near = near[:3]
	}
	quoted := make([]string, len(near))
	for i, n := range near {
		quoted[i] = fmt.Sprintf("%q", n.name)
	}
	return "; did you mean " + strings.Join(quoted, ", ") + "?"
}

// editDistance is the Levenshtein distance between a and b, by bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
