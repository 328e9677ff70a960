package loadbalancer_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/loadbalancer"
)

func TestAccountResources(t *testing.T) {
	h := instant(t)
	h.run([]step{
		{"GET", "/loadbalancers/absolutelimits", "", 200, `{"absolute":[
			{"name":"IPV6_LIMIT","value":25},{"name":"LOADBALANCER_LIMIT","value":25},{"name":"BATCH_DELETE_LIMIT","value":10},
			{"name":"ACCESS_LIST_LIMIT","value":100},{"name":"NODE_LIMIT","value":25},{"name":"NODE_META_LIMIT","value":25},
			{"name":"CERTIFICATE_MAPPING_LIMIT","value":20},{"name":"LOADBALANCER_META_LIMIT","value":25}]}`},
		{"GET", "/loadbalancers/algorithms", "", 200, `{"algorithms":[{"name":"LEAST_CONNECTIONS"},{"name":"RANDOM"},
			{"name":"ROUND_ROBIN"},{"name":"WEIGHTED_LEAST_CONNECTIONS"},{"name":"WEIGHTED_ROUND_ROBIN"}]}`},
		{"GET", "/loadbalancers/protocols", "", 200, `{"protocols":[
			{"name":"DNS_TCP","port":53},{"name":"DNS_UDP","port":53},{"name":"FTP","port":21},{"name":"HTTP","port":80},
			{"name":"HTTPS","port":443},{"name":"IMAPS","port":993},{"name":"IMAPv4","port":143},{"name":"LDAP","port":389},
			{"name":"LDAPS","port":636},{"name":"MYSQL","port":3306},{"name":"POP3","port":110},{"name":"POP3S","port":995},
			{"name":"SMTP","port":25},{"name":"TCP","port":0},{"name":"TCP_CLIENT_FIRST","port":0},{"name":"UDP","port":0},
			{"name":"UDP_STREAM","port":0},{"name":"SFTP","port":22},{"name":"TCP_STREAM","port":0}]}`},
		{"GET", "/loadbalancers/alloweddomains", "", 200, `{"allowedDomains":[
			{"allowedDomain":{"name":"rackspace.com"}},{"allowedDomain":{"name":"rackspacecloud.com"}}]}`},
		{"GET", "/limits", "", 200, `{"limits":{"rate":[{"limit":[
			{"next-available":"2026-01-01T00:00:00Z","remaining":600,"unit":"MINUTE","value":600,"verb":"GET"},
			{"next-available":"2026-01-01T00:00:00Z","remaining":600,"unit":"MINUTE","value":600,"verb":"PUT"},
			{"next-available":"2026-01-01T00:00:00Z","remaining":300,"unit":"MINUTE","value":300,"verb":"DELETE"},
			{"next-available":"2026-01-01T00:00:00Z","remaining":300,"unit":"MINUTE","value":300,"verb":"POST"}],
			"regex":".*/([0-9]+)/loadbalancers.*","uri":"/v1.0/*"}]}}`},
		{"GET", "/regionalsourceaddresses", "", 200, `{"RegionalSourceAddresses":{
			"ipv4Publicnets":["198.19.254.1","198.19.254.2"],"ipv4Servicenets":["10.189.254.1","10.189.254.2"],
			"ipv6Publicnets":["2001:db8:ffff:1::1","2001:db8:ffff:1::2"],"ipv6Servicenets":["2001:db8:ffff:2::1","2001:db8:ffff:2::2"]}}`},
	})
	id := h.create(simpleLB)
	h.expect(h.do("GET", lbPath(id, "/clustersourceaddresses"), ""), 200, `{"clusterSourceAddresses":{
		"ipv4Publicnets":["198.19.254.1","198.19.254.2"],"ipv4Servicenets":["10.189.254.1","10.189.254.2"],
		"ipv6Publicnets":["2001:db8:ffff:1::1","2001:db8:ffff:1::2"],"ipv6Servicenets":["2001:db8:ffff:2::1","2001:db8:ffff:2::2"]}}`)
}

func TestStats(t *testing.T) {
	h := newHarness(t)
	id := h.create(simpleLB)
	h.expect(h.do("GET", lbPath(id, "/stats"), ""), 422, fault(422, "The load balancer is not available to display statistics."))
	h.srv.Clock().Advance(10 * time.Second)
	if err := h.srv.SetStats(id, loadbalancer.Stats{ConnectTimeOut: 10, ConnectError: 20, ConnectFailure: 30, DataTimedOut: 40,
		KeepAliveTimedOut: 50, MaxConn: 60, CurrentConn: 40}); err != nil {
		t.Fatal(err)
	}
	h.expect(h.do("GET", lbPath(id, "/stats"), ""), 200, `{"connectTimeOut":10,"connectError":20,"connectFailure":30,
		"dataTimedOut":40,"keepAliveTimedOut":50,"maxConn":60,"currentConn":40,"connectTimeOutSsl":0,"connectErrorSsl":0,
		"connectFailureSsl":0,"dataTimedOutSsl":0,"keepAliveTimedOutSsl":0,"maxConnSsl":0,"currentConnSsl":0}`)
}

func TestUsage(t *testing.T) {
	h := instant(t)
	h.srv.Clock().Advance(30 * time.Minute) // 00:30
	id := h.create(simpleLB)
	h.srv.Clock().Advance(90 * time.Minute) // 02:00
	rec := func(n int, start, end, event string) string {
		ev := ""
		if event != "" {
			ev = `,"eventType":"` + event + `"`
		}
		return fmt.Sprintf(`{"id":%%d,"averageNumConnections":0,"incomingTransfer":0,"outgoingTransfer":0,
			"averageNumConnectionsSsl":0,"incomingTransferSsl":0,"outgoingTransferSsl":0,"numVips":2,"numPolls":%d,
			"startTime":%q,"endTime":%q,"vipType":"PUBLIC","sslMode":"OFF"%s}`, n, start, end, ev)
	}
	r := h.do("GET", lbPath(id, "/usage"), "")
	ids := usageIDs(t, r.body)
	if len(ids) != 2 {
		t.Fatalf("usage = %s", r.body)
	}
	h.expect(r, 200, fmt.Sprintf(`{"loadBalancerUsageRecords":[`+
		rec(7, "2026-01-01T00:30:00Z", "2026-01-01T01:00:00Z", "CREATE_LOADBALANCER")+`,`+
		rec(13, "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "")+`]}`, ids[0], ids[1]))
	h.expect(h.do("GET", lbPath(id, "/usage?startTime=2026-01-01T01:00:00Z"), ""), 200,
		fmt.Sprintf(`{"loadBalancerUsageRecords":[`+rec(13, "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "")+`]}`, ids[1]))
	h.expect(h.do("GET", lbPath(id, "/usage?limit=1"), ""), 200, fmt.Sprintf(`{"loadBalancerUsageRecords":[`+
		rec(7, "2026-01-01T00:30:00Z", "2026-01-01T01:00:00Z", "CREATE_LOADBALANCER")+`],
		"links":[{"href":"/v1.0/123456/loadbalancers/%d/usage?limit=1&offset=1","rel":"next"}]}`, ids[0], id))
	h.expect(h.do("GET", lbPath(id, "/usage?startTime=x"), ""), 400, fault(400, "Date parameters must follow ISO-8601 format"))
	h.expect(h.do("GET", lbPath(id, "/usage?startTime=2026-01-02T00:00:00Z&endTime=2026-01-01T00:00:00Z"), ""), 400,
		fault(400, "Must specify an earlier startTime than endTime."))
	h.expect(h.do("GET", lbPath(id, "/usage/current"), ""), 200, fmt.Sprintf(`{"loadBalancerUsageRecords":[`+
		rec(7, "2026-01-01T00:30:00Z", "2026-01-01T01:00:00Z", "CREATE_LOADBALANCER")+`,`+
		rec(13, "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "")+`],"links":[]}`, ids[0], ids[1]))

	h.expect(h.do("GET", "/loadbalancers/usage?startTime=2026-01-01T00:00:00Z&endTime=2026-01-01T01:00:00Z", ""), 200,
		fmt.Sprintf(`{"accountUsage":{"links":[],"accountUsageRecords":[
			{"numLoadBalancers":0,"numPublicVips":0,"numServicenetVips":0,"startTime":"2026-01-01T00:00:00Z"},
			{"numLoadBalancers":1,"numPublicVips":2,"numServicenetVips":0,"startTime":"2026-01-01T00:30:00Z"}]},
		"loadBalancerUsages":[{"loadBalancerUsageRecords":[`+rec(7, "2026-01-01T00:30:00Z", "2026-01-01T01:00:00Z", "CREATE_LOADBALANCER")+`],
			"links":[],"loadBalancerId":%d,"loadBalancerName":"a-new-loadbalancer"}],"accountId":123456}`, ids[0], id))

	h.expect(h.do("GET", "/loadbalancers/billable", ""), 400, fault(400, "'startTime' and 'endTime' query parameters are required"))
	h.expect(h.do("GET", "/loadbalancers/billable?startTime=2026-01-01T00:00:00Z&endTime=2026-01-02T00:00:00Z", ""), 200,
		fmt.Sprintf(`{"loadBalancers":[{"timeout":30,"created":{"time":"2026-01-01T00:30:00Z"},"updated":{"time":"2026-01-01T00:30:00Z"},
			"nodeCount":1,"algorithm":"RANDOM","status":"ACTIVE","name":"a-new-loadbalancer","id":%d,"protocol":"HTTP","port":80}]}`, id))
}

func usageIDs(t *testing.T, body string) []int {
	t.Helper()
	var out struct {
		Records []struct {
			ID int `json:"id"`
		} `json:"loadBalancerUsageRecords"`
	}
	if err := jsonUnmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	ids := make([]int, len(out.Records))
	for i, r := range out.Records {
		ids[i] = r.ID
	}
	return ids
}
