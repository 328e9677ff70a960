// A user's access rules (/v3/users/{user_id}/access_rules): the rules its
// application credentials name. As in Keystone, a rule the user already
// has (same service, path and method, or the same ID) is shared rather
// than made twice, a rule outlives the credentials that named it, and one
// still named by a credential cannot be deleted.

package identity

import (
	"net/http"
	"sort"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of access rules.
const (
	OpV3ListAccessRules  = "identity.v3.access_rules.list"
	OpV3GetAccessRule    = "identity.v3.access_rules.get"
	OpV3DeleteAccessRule = "identity.v3.access_rules.delete"
)

func (s *Identity) accessRuleRoutes() []kit.Route {
	const base = "/v3/users/{user_id}/access_rules"
	return []kit.Route{
		{Op: OpV3ListAccessRules, Method: "GET", Path: base, Handler: s.v3ListAccessRules},
		{Op: OpV3GetAccessRule, Method: "GET", Path: base + "/{access_rule_id}", Handler: s.v3GetAccessRule},
		{Op: OpV3DeleteAccessRule, Method: "DELETE", Path: base + "/{access_rule_id}", Handler: s.v3DeleteAccessRule},
	}
}

// userAccessRule is an access rule and the user who has it.
type userAccessRule struct {
	UserID string
	AccessRule
}

// accessRuleLocked is the user's rule for r: the one with r's ID, or with
// its service, path and method, or a new one.
func (s *Identity) accessRuleLocked(userID string, r AccessRule) AccessRule {
	if have, ok := s.accessRules[r.ID]; ok && r.ID != "" && have.UserID == userID {
		return have.AccessRule
	}
	for _, have := range s.accessRules {
		if have.UserID == userID && have.Service == r.Service && have.Path == r.Path && have.Method == r.Method {
			return have.AccessRule
		}
	}
	if r.ID == "" {
		r.ID = s.RNG().Hex(32)
	}
	s.accessRules[r.ID] = userAccessRule{UserID: userID, AccessRule: r}
	return r
}

type accessRuleJSON struct {
	AccessRule
	Links selfLinkJSON `json:"links"`
}

type accessRuleResponse struct {
	AccessRule accessRuleJSON `json:"access_rule"`
}

type accessRulesResponse struct {
	AccessRules []accessRuleJSON `json:"access_rules"`
	Links       listLinksJSON    `json:"links"`
}

func accessRuleBody(c *kit.Call, r userAccessRule) accessRuleJSON {
	return accessRuleJSON{AccessRule: r.AccessRule, Links: selfLinkJSON{Self: c.BaseURL() + "/v3/users/" + r.UserID + "/access_rules/" + r.ID}}
}

func (s *Identity) v3ListAccessRules(c *kit.Call) (kit.Reply, error) {
	if !s.mayReadAppCreds(c) {
		return kit.Reply{}, forbidden("identity:list_access_rules")
	}
	userID, q := c.Var("user_id"), c.Query()
	s.mu.Lock()
	if _, ok := s.users[userID]; !ok {
		s.mu.Unlock()
		return kit.Reply{}, kit.NotFound("Could not find user: %s.", userID)
	}
	var list []userAccessRule
	for _, r := range s.accessRules {
		if r.UserID == userID && matches(q.Get("service"), r.Service) && matches(q.Get("path"), r.Path) && matches(q.Get("method"), r.Method) {
			list = append(list, r)
		}
	}
	s.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	out := accessRulesResponse{AccessRules: make([]accessRuleJSON, 0, len(list)), Links: selfLinks(c)}
	for _, r := range list {
		out.AccessRules = append(out.AccessRules, accessRuleBody(c, r))
	}
	return kit.OK(out), nil
}

// matches is a list filter: want, when given, is equal to have.
func matches(want, have string) bool { return want == "" || want == have }

// accessRuleInURLLocked is the user's rule the URL names: 404 otherwise.
func (s *Identity) accessRuleInURLLocked(c *kit.Call) (userAccessRule, error) {
	id := c.Var("access_rule_id")
	r, ok := s.accessRules[id]
	if !ok || r.UserID != c.Var("user_id") {
		return userAccessRule{}, kit.NotFound("Could not find Access Rule: %s.", id)
	}
	return r, nil
}

func (s *Identity) v3GetAccessRule(c *kit.Call) (kit.Reply, error) {
	if !s.mayReadAppCreds(c) {
		return kit.Reply{}, forbidden("identity:get_access_rule")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.accessRuleInURLLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	return kit.OK(accessRuleResponse{AccessRule: accessRuleBody(c, r)}), nil
}

func (s *Identity) v3DeleteAccessRule(c *kit.Call) (kit.Reply, error) {
	if c.Principal.UserID != c.Var("user_id") && !isAdmin(c) {
		return kit.Reply{}, forbidden("identity:delete_access_rule")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.accessRuleInURLLocked(c)
	if err != nil {
		return kit.Reply{}, err
	}
	for _, a := range s.appCreds {
		for _, used := range a.AccessRules {
			if used.ID == r.ID {
				return kit.Reply{}, kit.Forbidden("May not delete access rule in use")
			}
		}
	}
	delete(s.accessRules, r.ID)
	return kit.Status(http.StatusNoContent), nil
}
