package loadbalancer_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/loadbalancer"
)

// step is one request of a scripted exchange with its exact answer.
type step struct {
	method, path, body string
	status             int
	want               string
}

func (h *harness) run(steps []step) {
	h.t.Helper()
	for _, s := range steps {
		r := h.do(s.method, s.path, s.body)
		if r.status != s.status {
			h.t.Errorf("%s %s %s: status %d, want %d; body %s", s.method, s.path, s.body, r.status, s.status, r.body)
			continue
		}
		checkBody(h.t, r, s.want)
	}
}

func TestHealthMonitor(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	p := lbPath(id, "/healthmonitor")
	h.run([]step{
		{"GET", p, "", 200, `{"healthMonitor":{}}`},
		{"DELETE", p, "", 422, fault(422, "No health monitor found to delete.")},
		{"PUT", p, `{"healthMonitor":{"type":"CONNECT"}}`, 400, validation(
			"Must provide delay for the health monitor.", "Must provide timeout for the health monitor.",
			"Must provide attempts before deactivation for the health monitor.")},
		{"PUT", p, `{"healthMonitor":{"type":"CONNECT","delay":0,"timeout":301,"attemptsBeforeDeactivation":11,"path":"/"}}`, 400, validation(
			"Must specify valid delay range between 1 and 3600.", "Must specify valid timeout range between 1 and 300.",
			"Must specify valid attempts before deactivation range between 1 and 10.",
			"A connect health monitor may not have a path. Use HTTP/HTTPS health monitor instead.")},
		{"PUT", p, `{"healthMonitor":{"type":"HTTP","delay":10,"timeout":10,"attemptsBeforeDeactivation":3,"path":"status","statusRegex":"("}}`, 400, validation(
			"Must provide a forward slash(/) as the beginning of the path.", "Must provide a valid status regex")},
		{"PUT", p, `{"healthMonitor":{"type":"HTTPS","delay":10,"timeout":10,"attemptsBeforeDeactivation":3,"path":"/","statusRegex":"^2"}}`, 400,
			fault(400, "Cannot update Health Monitor to Type HTTPS because load balancer protocol is HTTP")},
		{"PUT", p, `{"healthMonitor":{"type":"HTTP","delay":10,"timeout":10,"attemptsBeforeDeactivation":3,"path":"/",
			"statusRegex":"^[234][0-9][0-9]$","bodyRegex":"^[234][0-9][0-9]$","hostHeader":"myrack.com"}}`, 202, ""},
		{"GET", p, "", 200, `{"healthMonitor":{"type":"HTTP","delay":10,"timeout":10,"attemptsBeforeDeactivation":3,"path":"/",
			"statusRegex":"^[234][0-9][0-9]$","bodyRegex":"^[234][0-9][0-9]$","hostHeader":"myrack.com"}}`},
		// A monitor of the same type may change one setting.
		{"PUT", p, `{"healthMonitor":{"type":"HTTP","delay":30}}`, 202, ""},
		{"GET", p, "", 200, `{"healthMonitor":{"type":"HTTP","delay":30,"timeout":10,"attemptsBeforeDeactivation":3,"path":"/",
			"statusRegex":"^[234][0-9][0-9]$","bodyRegex":"^[234][0-9][0-9]$","hostHeader":"myrack.com"}}`},
	})
	nid := h.nodeIDs(id)[0]
	if err := h.srv.SetNodeStatus(id, nid, "OFFLINE"); err != nil {
		t.Fatal(err)
	}
	// Deleting the monitor brings every node back ONLINE.
	h.run([]step{
		{"DELETE", p, "", 202, ""},
		{"GET", p, "", 200, `{"healthMonitor":{}}`},
	})
	h.srv.CheckNodes(t, id, loadbalancer.Node{Address: "10.1.1.1", Port: 80, Condition: "ENABLED", Status: "ONLINE", Weight: 1, Type: "PRIMARY"})
}

func TestSessionPersistence(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	p := lbPath(id, "/sessionpersistence")
	h.run([]step{
		{"GET", p, "", 200, `{"sessionPersistence":{}}`},
		{"DELETE", p, "", 422, fault(422, "Session persistence is already deleted.")},
		{"PUT", p, `{"sessionPersistence":{}}`, 400, validation("Must provide a persistence type.")},
		{"PUT", p, `{"sessionPersistence":{"persistenceType":"COOKIE"}}`, 400,
			validation("Persistence type is invalid. Please specify a valid persistence type.")},
		{"PUT", p, `{"sessionPersistence":{"persistenceType":"SSL_ID"}}`, 400,
			fault(400, "SSL_ID session persistence is only valid with the HTTPS protocol.")},
		{"PUT", p, `{"sessionPersistence":{"persistenceType":"HTTP_COOKIE"}}`, 202, ""},
		{"GET", p, "", 200, `{"sessionPersistence":{"persistenceType":"HTTP_COOKIE"}}`},
		// Changing the protocol disables it.
		{"PUT", lbPath(id), `{"loadBalancer":{"protocol":"TCP","port":8080}}`, 202, ""},
		{"GET", p, "", 200, `{"sessionPersistence":{}}`},
	})
}

func TestConnectionLoggingAndCaching(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	udp := h.create(`{"loadBalancer":{"name":"dns","protocol":"DNS_UDP","virtualIps":[{"type":"PUBLIC"}]}}`)
	h.run([]step{
		{"GET", lbPath(id, "/connectionlogging"), "", 200, `{"connectionLogging":{"enabled":false}}`},
		{"PUT", lbPath(id, "/connectionlogging"), `{"connectionLogging":{}}`, 400,
			validation("Must specify whether connection logging is enabled or not.")},
		{"PUT", lbPath(id, "/connectionlogging"), `{"connectionLogging":{"enabled":true}}`, 202, ""},
		{"GET", lbPath(id, "/connectionlogging"), "", 200, `{"connectionLogging":{"enabled":true}}`},
		{"PUT", lbPath(udp, "/connectionlogging"), `{"connectionLogging":{"enabled":true}}`, 400,
			fault(400, "Connection logging cannot be enabled for UDP, UDP_STREAM and DNS_UDP load balancers.")},
		{"GET", lbPath(id, "/contentcaching"), "", 200, `{"contentCaching":{"enabled":false}}`},
		{"PUT", lbPath(id, "/contentcaching"), `{"contentCaching":{"enabled":"true"}}`, 202, ""},
		{"GET", lbPath(id, "/contentcaching"), "", 200, `{"contentCaching":{"enabled":true}}`},
		{"PUT", lbPath(udp, "/contentcaching"), `{"contentCaching":{"enabled":true}}`, 400,
			fault(400, "Content caching can only be enabled for HTTP loadbalancers.")},
		{"PUT", lbPath(id), `{"loadBalancer":{"protocol":"HTTPS"}}`, 400,
			fault(400, "Content caching can only be enabled for HTTP loadbalancers.")},
	})
}

func TestConnectionThrottle(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	p := lbPath(id, "/connectionthrottle")
	h.run([]step{
		{"GET", p, "", 200, `{"connectionThrottle":{}}`},
		{"DELETE", p, "", 422, fault(422, "No connection throttle found to delete.")},
		{"PUT", p, `{"connectionThrottle":{"maxConnections":10}}`, 400,
			fault(400, "Must supply all credentials when creating a connection throttle.")},
		{"PUT", p, `{"connectionThrottle":{"maxConnections":100001,"minConnections":-1,"maxConnectionRate":50,"rateInterval":0}}`, 400, validation(
			"Must provide a valid minimum connections range.", "Must provide a valid maximum connections range.",
			"Must provide a valid rate interval range.")},
		{"PUT", p, `{"connectionThrottle":{"maxConnections":10,"minConnections":100,"maxConnectionRate":50,"rateInterval":60}}`, 202, ""},
		{"PUT", p, `{"connectionThrottle":{"maxConnections":20}}`, 202, ""},
		{"GET", p, "", 200, `{"connectionThrottle":{"maxConnections":20,"minConnections":100,"maxConnectionRate":50,"rateInterval":60}}`},
		{"DELETE", p, "", 202, ""},
		{"GET", p, "", 200, `{"connectionThrottle":{}}`},
	})
}

func TestErrorPage(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	tcp := h.create(`{"loadBalancer":{"name":"ssh","protocol":"TCP","port":22,"virtualIps":[{"type":"PUBLIC"}]}}`)
	p := lbPath(id, "/errorpage")
	def := fmt.Sprintf(`{"errorpage":{"content":%q}}`, loadbalancer.DefaultErrorPage)
	h.run([]step{
		{"GET", p, "", 200, def},
		{"PUT", p, `{"errorpage":{}}`, 400, validation("Must provide content for the error page.")},
		{"PUT", lbPath(tcp, "/errorpage"), `{"errorpage":{"content":"<html>x</html>"}}`, 400,
			fault(400, "Custom error page is allowed only on loadbalancers with HTTP protocol.")},
		{"PUT", p, `{"errorpage":{"content":"\n<html>\n    DEFAULT ERROR PAGE\n</html>\n"}}`, 200, ""},
		{"GET", p, "", 200, `{"errorpage":{"content":"\n<html>\n    DEFAULT ERROR PAGE\n</html>\n"}}`},
		{"DELETE", p, "", 200, ""},
		{"GET", p, "", 200, def},
	})
}

func TestVirtualIPs(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	v := h.vips(id)
	p := lbPath(id, "/virtualips")
	h.run([]step{
		{"GET", p, "", 200, fmt.Sprintf(`{"virtualIps":[
			{"address":"198.18.0.1","id":%d,"type":"PUBLIC","ipVersion":"IPV4"},
			{"address":"2001:0db8:0000:0000:0000:0000:0000:0001","id":%d,"type":"PUBLIC","ipVersion":"IPV6"}]}`, v[0].ID, v[1].ID)},
		{"POST", p, `{"type":"SERVICENET","ipVersion":"IPV4"}`, 400, validation(
			"Must specify a valid IP type. IPv6 supports the 'PUBLIC' type only.",
			"Must specify a valid IP version, currently only IPv6 is supported for this operation.")},
		{"POST", p, `{"type":"PUBLIC","ipVersion":"IPV6"}`, 202, fmt.Sprintf(
			`{"address":"2001:0db8:0000:0000:0000:0000:0000:0002","id":%d,"type":"PUBLIC","ipVersion":"IPV6"}`, v[1].ID+1)},
		{"DELETE", p + "/1", "", 404, fault(404, "Virtual ip not found")},
		{"DELETE", p, "", 400, fault(400, "Must supply one or more id's to process this request.")},
		{"DELETE", p + fmt.Sprintf("?id=%d&id=7", v[0].ID), "", 400, fault(400, "Must provide valid virtual ips, 7 could not be found.")},
		{"DELETE", p + fmt.Sprintf("?id=%d&id=%d&id=%d", v[0].ID, v[1].ID, v[1].ID+1), "", 400,
			fault(400, "Cannot delete virtual ips. Minimum number of virtual ips required is 1.")},
		{"DELETE", p + fmt.Sprintf("?id=%d&id=%d", v[1].ID, v[1].ID+1), "", 202, ""},
		{"DELETE", p + fmt.Sprintf("/%d", v[0].ID), "", 400, fault(400, "Cannot delete virtual ips. Minimum number of virtual ips required is 1.")},
		{"GET", p, "", 200, fmt.Sprintf(`{"virtualIps":[{"address":"198.18.0.1","id":%d,"type":"PUBLIC","ipVersion":"IPV4"}]}`, v[0].ID)},
	})
	// Changes hold PENDING_UPDATE like any other.
	h2 := newHarness(t)
	id2 := h2.create(simpleLB)
	h2.srv.Clock().Advance(10 * time.Second)
	next := h2.vips(id2)[1].ID + 1
	h2.expect(h2.do("POST", lbPath(id2, "/virtualips"), `{"type":"PUBLIC","ipVersion":"IPV6"}`), 202,
		fmt.Sprintf(`{"address":"2001:0db8:0000:0000:0000:0000:0000:0002","id":%d,"type":"PUBLIC","ipVersion":"IPV6"}`, next))
	h2.srv.CheckStatus(t, id2, loadbalancer.StatusPendingUpdate)
}

func TestAccessList(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	p := lbPath(id, "/accesslist")
	h.run([]step{
		{"GET", p, "", 200, `{"accessList":[]}`},
		{"DELETE", p, "", 422, fault(422, "No access list found to delete")},
		{"POST", p, `{"accessList":[]}`, 400, validation("Must provide at least one network item to the access list.")},
		{"POST", p, `{"accessList":[{"id":3}]}`, 400, validation(
			"Network item id field cannot be modified.", "Must provide an address for the network item.",
			"Must provide a valid type for the network item.")},
		{"POST", p, `{"accessList":[{"address":"206.160.163.21","type":"BLOCK"}]}`, 400,
			`{"message":"JSON does not match the expected schema","code":400,"details":"type \"BLOCK\" is not one of ALLOW, DENY"}`},
		{"POST", p, `{"accessList":[{"address":"not-an-ip","type":"DENY"}]}`, 400,
			fault(400, "IP address was not converted properly, we are unable to process this request.")},
		{"POST", p, `{"accessList":[{"address":"206.160.163.21","type":"DENY"},{"address":"206.160.165.0/24","type":"ALLOW"}]}`, 202, ""},
		{"POST", p, `{"accessList":[{"address":"206.160.163.21/32","type":"ALLOW"}]}`, 400,
			fault(400, "Must supply a unique access list item to update the current list.")},
	})
	lb, _ := h.srv.LoadBalancer(id)
	a, b := lb.AccessList[0].ID, lb.AccessList[1].ID
	h.run([]step{
		{"GET", p, "", 200, fmt.Sprintf(`{"accessList":[{"address":"206.160.163.21","id":%d,"type":"DENY"},
			{"address":"206.160.165.0/24","id":%d,"type":"ALLOW"}]}`, a, b)},
		{"DELETE", p + "?id=1&id=2", "", 400, fault(400, "Network items with ids 1,2 not found.")},
		{"DELETE", p + fmt.Sprintf("?id=%d", a), "", 202, ""},
		{"DELETE", p + fmt.Sprintf("/%d", a), "", 404, fault(404, "Network item not found")},
		{"DELETE", p + fmt.Sprintf("/%d", b), "", 202, ""},
		{"GET", p, "", 200, `{"accessList":[]}`},
	})
}

// pkgcloud, fog and libcloud send the health monitor, the connection
// throttle and SSL termination unwrapped ({"type":"CONNECT",…}); the API
// takes them as it takes the wrapped form.
func TestSettingsUnwrapped(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	h.run([]step{
		{"PUT", lbPath(id, "/healthmonitor"), `{"type":"CONNECT","delay":10,"timeout":10,"attemptsBeforeDeactivation":3}`, 202, ""},
		{"GET", lbPath(id, "/healthmonitor"), "", 200, `{"healthMonitor":{"type":"CONNECT","delay":10,"timeout":10,"attemptsBeforeDeactivation":3}}`},
		{"PUT", lbPath(id, "/healthmonitor"), `{"type":"CONNECT","delay":0,"timeout":10,"attemptsBeforeDeactivation":3}`, 400,
			validation("Must specify valid delay range between 1 and 3600.")},
		{"PUT", lbPath(id, "/connectionthrottle"), `{"maxConnections":10,"minConnections":100,"maxConnectionRate":50,"rateInterval":60}`, 202, ""},
		{"GET", lbPath(id, "/connectionthrottle"), "", 200, `{"connectionThrottle":{"maxConnections":10,"minConnections":100,"maxConnectionRate":50,"rateInterval":60}}`},
		{"PUT", lbPath(id, "/ssltermination"), fmt.Sprintf(`{"enabled":true,"secureTrafficOnly":false,"securePort":443,"privatekey":%s,"certificate":%s}`,
			jsonString(testKey), jsonString(testCert)), 200, "*"},
		// An unwrapped body with a stray member is still refused.
		{"PUT", lbPath(id, "/connectionthrottle"), `{"maxConnections":10,"bogus":1}`, 400,
			`{"message":"JSON does not match the expected schema","code":400,"details":"unknown field \"bogus\""}`},
	})
	if r := h.do("GET", lbPath(id, "/ssltermination"), ""); r.status != 200 || !strings.Contains(r.body, `"securePort":443`) {
		t.Errorf("SSL termination after an unwrapped PUT: %d %s", r.status, r.body)
	}
}
