package triton

import (
	"net/http"
	"time"

	"github.com/mockcloud/mockcloud/kit"
)

// ticket is a CNAPI waitlist ticket: tickets of one server, scope and id
// become active one at a time, in creation order.
type ticket struct {
	uuid, server, scope, id, action string
	expires                         time.Time
	created, updated                time.Time
	status                          string // queued, active, finished, expired
}

// Ticket is a waitlist ticket as CNAPI renders it.
type Ticket struct {
	UUID       string `json:"uuid"`
	ServerUUID string `json:"server_uuid"`
	Scope      string `json:"scope"`
	ID         string `json:"id"`
	Action     string `json:"action,omitempty"`
	ExpiresAt  string `json:"expires_at"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
	Status     string `json:"status"`
}

func (k *ticket) render() Ticket {
	return Ticket{UUID: k.uuid, ServerUUID: k.server, Scope: k.scope, ID: k.id, Action: k.action, ExpiresAt: iso(k.expires),
		CreatedAt: iso(k.created), UpdatedAt: iso(k.updated), Status: k.status}
}

// refreshTicketsLocked expires old tickets and activates the head of each
// queue.
func (t *Triton) refreshTicketsLocked(now time.Time) {
	active := map[string]bool{}
	for _, k := range t.dc.ticketOr {
		if (k.status == "queued" || k.status == "active") && !now.Before(k.expires) {
			k.status, k.updated = "expired", now
		}
		if k.status == "active" {
			active[k.server+"/"+k.scope+"/"+k.id] = true
		}
	}
	for _, k := range t.dc.ticketOr {
		key := k.server + "/" + k.scope + "/" + k.id
		if k.status == "queued" && !active[key] {
			k.status, k.updated = "active", now
			active[key] = true
		}
	}
}

func (t *Triton) createTicket(c *kit.Call) (kit.Reply, error) {
	var body struct {
		Scope     string `json:"scope"`
		ID        string `json:"id"`
		ExpiresAt string `json:"expires_at"`
		Action    string `json:"action"`
	}
	if err := decode(c, &body, false); err != nil {
		return kit.Reply{}, err
	}
	var errs []FieldError
	for f, v := range map[string]string{"scope": body.Scope, "id": body.ID, "expires_at": body.ExpiresAt} {
		if v == "" {
			errs = append(errs, FieldError{Field: f, Code: "MissingParameter", Message: "Missing parameter"})
		}
	}
	if len(errs) > 0 {
		return kit.Reply{}, validationFailed("Invalid parameters", sortFieldErrors(errs)...)
	}
	exp, err := parseTime(body.ExpiresAt)
	if err != nil {
		return kit.Reply{}, invalidParam("expires_at", "Invalid date")
	}
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	k := &ticket{uuid: t.newUUID(), server: s.uuid, scope: body.Scope, id: body.ID, action: body.Action, expires: exp,
		created: now, updated: now, status: "queued"}
	t.dc.tickets[k.uuid] = k
	t.dc.ticketOr = append(t.dc.ticketOr, k)
	t.refreshTicketsLocked(now)
	return kit.JSON(http.StatusAccepted, map[string]string{"uuid": k.uuid}), nil
}

func sortFieldErrors(errs []FieldError) []FieldError {
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && errs[j].Field < errs[j-1].Field; j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
	return errs
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm, nil
		}
	}
	_, err := time.Parse(time.RFC3339, s)
	return time.Time{}, err
}

func (t *Triton) listTickets(c *kit.Call) (kit.Reply, error) {
	limit, offset, err := page(c.Query(), 1000)
	if err != nil {
		return kit.Reply{}, err
	}
	now := t.lock()
	defer t.mu.Unlock()
	s, err := t.serverLocked(c.Var("uuid"))
	if err != nil {
		return kit.Reply{}, err
	}
	t.refreshTicketsLocked(now)
	out := []Ticket{}
	n := 0
	for _, k := range t.dc.ticketOr {
		if k.server != s.uuid || len(out) >= limit {
			continue
		}
		if n >= offset {
			out = append(out, k.render())
		}
		n++
	}
	return kit.OK(out), nil
}

func (t *Triton) ticketLocked(uuid string, now time.Time) (*ticket, error) {
	t.refreshTicketsLocked(now)
	k := t.dc.tickets[uuid]
	if k == nil {
		return nil, kit.NotFound("Ticket %s not found", uuid)
	}
	return k, nil
}

func (t *Triton) getTicket(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	k, err := t.ticketLocked(c.Var("ticket"), now)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(k.render()), nil
}

// waitTicket answers at once with 204 when the ticket is active (or done);
// a queued ticket answers 409 (the fake does not block on a queue).
func (t *Triton) waitTicket(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	k, err := t.ticketLocked(c.Var("ticket"), now)
	if err != nil {
		return kit.Reply{}, err
	}
	if k.status == "queued" {
		return kit.Reply{}, restError(http.StatusConflict, "TicketNotActive", "Ticket "+k.uuid+" is queued")
	}
	return kit.Status(http.StatusNoContent), nil
}

func (t *Triton) releaseTicket(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	k, err := t.ticketLocked(c.Var("ticket"), now)
	if err != nil {
		return kit.Reply{}, err
	}
	k.status, k.updated = "finished", now
	t.refreshTicketsLocked(now)
	return kit.Status(http.StatusNoContent), nil
}

func (t *Triton) deleteTicket(c *kit.Call) (kit.Reply, error) {
	now := t.lock()
	defer t.mu.Unlock()
	k, err := t.ticketLocked(c.Var("ticket"), now)
	if err != nil {
		return kit.Reply{}, err
	}
	delete(t.dc.tickets, k.uuid)
	for i, x := range t.dc.ticketOr {
		if x == k {
			t.dc.ticketOr = append(t.dc.ticketOr[:i], t.dc.ticketOr[i+1:]...)
			break
		}
	}
	t.refreshTicketsLocked(now)
	return kit.Status(http.StatusNoContent), nil
}
