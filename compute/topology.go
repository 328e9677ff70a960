// GET /servers/{id}/topology (2.78): a server's NUMA topology. As in Nova,
// a server has one only when its flavor asks for NUMA nodes
// (hw:numa_nodes): its vCPUs and memory split evenly over them, each vCPU
// its own sibling set, no huge pages; an admin also sees the host node
// and an empty CPU pinning. Without one: no nodes, pagesize_kb null.

package compute

import (
	"strconv"

	"github.com/mockcloud/mockcloud/kit"
)

// OpGetServerTopology is the route name of GET /servers/{id}/topology.
const OpGetServerTopology = "compute.servers.topology.get"

func (c *Compute) topologyRoutes() []kit.Route {
	return []kit.Route{route(OpGetServerTopology, "GET", "/servers/{server_id}/topology", c.getServerTopology)}
}

type numaNodeJSON struct {
	MemoryMB   int             `json:"memory_mb"`
	Siblings   [][]int         `json:"siblings"`
	VCPUSet    []int           `json:"vcpu_set"`
	HostNode   *int            `json:"host_node,omitempty"`
	CPUPinning *map[string]int `json:"cpu_pinning,omitempty"`
}

type topologyJSON struct {
	Nodes      []numaNodeJSON `json:"nodes"`
	PagesizeKB *int           `json:"pagesize_kb"`
}

func (c *Compute) getServerTopology(call *kit.Call) (kit.Reply, error) {
	if err := atLeastOr404(call, 78); err != nil {
		return kit.Reply{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.serverLocked(call)
	if err != nil {
		return kit.Reply{}, err
	}
	out := topologyJSON{Nodes: []numaNodeJSON{}}
	n := 0
	if f, ok := c.flavors[s.FlavorID]; ok {
		n, _ = strconv.Atoi(f.ExtraSpecs["hw:numa_nodes"])
	}
	if n <= 0 || n > s.VCPUs {
		return kit.OK(out), nil
	}
	cpu := 0
	for i := 0; i < n; i++ {
		node := numaNodeJSON{MemoryMB: s.MemoryMB / n, Siblings: [][]int{}, VCPUSet: []int{}}
		for j := 0; j < s.VCPUs/n+boolInt(i < s.VCPUs%n); j++ {
			node.VCPUSet = append(node.VCPUSet, cpu)
			node.Siblings = append(node.Siblings, []int{cpu})
			cpu++
		}
		if adminAllowed(call) {
			node.HostNode, node.CPUPinning = ptr(i), &map[string]int{}
		}
		out.Nodes = append(out.Nodes, node)
	}
	return kit.OK(out), nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
