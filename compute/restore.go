// The restore action (Nova's deferred_delete API): 404 for a server that
// is not there, 409 unless it is SOFT_DELETED.

package compute

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// OpActionRestore is the restore action.
const OpActionRestore = OpServerAction + ".restore"

// vmSoftDeletedState is Nova's vm_state SOFT_DELETED.
const vmSoftDeletedState = "soft-delete"

// actRestore brings a soft-deleted server back, as Nova's restore does;
// any other server is in the wrong state (409).
func (c *Compute) actRestore(call *kit.Call, s *server, _ json.RawMessage) (kit.Reply, error) {
	if err := requireVMState(s, "restore", []string{vmSoftDeletedState}); err != nil {
		return kit.Reply{}, err
	}
	c.beginTaskLocked(s, "restoring", 0, func(s *server, at time.Time) {
		s.TerminatedAt = time.Time{}
		toActive(s, at)
	})
	return kit.Status(http.StatusAccepted), nil
}
