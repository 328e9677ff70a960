package loadbalancer_test

import (
	"encoding/json"
	"fmt"
	"testing"
)

const (
	testCert = "-----BEGIN CERTIFICATE-----\nMIIEXTCCA0WgAwIBAgIGATTEAjK3MA0GCSqGSIb3DQEBBQUAMIGDMRkwFwYDVQQD\n-----END CERTIFICATE-----\n"
	testKey  = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAwIudSMpRZx7TS0/AtDVX3DgXwLD9g+XrNaoazlhwhpYALgzJ\n-----END RSA PRIVATE KEY-----\n"
)

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestSSLTermination(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	https := h.create(`{"loadBalancer":{"name":"tls","protocol":"HTTPS","virtualIps":[{"type":"PUBLIC"}]}}`)
	p := lbPath(id, "/ssltermination")
	full := fmt.Sprintf(`{"sslTermination":{"enabled":true,"secureTrafficOnly":false,"securePort":443,"privatekey":%s,"certificate":%s}}`,
		jsonString(testKey), jsonString(testCert))
	h.run([]step{
		{"GET", p, "", 404, fault(404, "SSL termination not found for requested load balancer.")},
		{"DELETE", p, "", 400, fault(400, "SSL termination could not be found for the requested loadbalancer.")},
		{"PUT", p, `{"sslTermination":{"enabled":true,"securePort":443}}`, 400,
			validation("Must supply certificates(s), key and secure port for updating ssl termination.")},
		{"PUT", p, `{"sslTermination":{"certificate":"x","securePort":443}}`, 400, validation(
			"Must supply certificates(s), key and secure port for updating ssl termination cert and or key values.",
			"Certificate is invalid. Please provide a valid certificate.")},
		{"PUT", p, `{"sslTermination":{"cipherProfile":"ProfileA"}}`, 400, fault(400, "No Cipher Profile found with the name: 'ProfileA'")},
		{"PUT", lbPath(https, "/ssltermination"), full, 400,
			fault(400, "SSL termination can only be configured on load balancers with a non-secure, TCP-based protocol.")},
		{"PUT", p, full, 200, fmt.Sprintf(`{"sslTermination":{"enabled":true,"secureTrafficOnly":false,"securePort":443,
			"cipherProfile":"default","certificate":%s,
			"securityProtocols":[{"securityProtocolName":"TLS_10","securityProtocolStatus":"ENABLED"},
			                     {"securityProtocolName":"TLS_11","securityProtocolStatus":"ENABLED"}]}}`, jsonString(testCert))},
		{"PUT", p, `{"sslTermination":{"secureTrafficOnly":"true","cipherProfile":"CLBCipherPolicy2019-05",
			"securityProtocols":[{"securityProtocolName":"TLS_10","securityProtocolStatus":"DISABLED"}]}}`, 200,
			fmt.Sprintf(`{"sslTermination":{"enabled":true,"secureTrafficOnly":true,"securePort":443,
			"cipherProfile":"CLBCipherPolicy2019-05","certificate":%s,
			"securityProtocols":[{"securityProtocolName":"TLS_10","securityProtocolStatus":"DISABLED"},
			                     {"securityProtocolName":"TLS_11","securityProtocolStatus":"ENABLED"}]}}`, jsonString(testCert))},
		{"GET", lbPath(id, "/ssltermination/ciphers"), "", 200, `{"ciphers":[{"name":"TLS_AES_256_GCM_SHA384"},
			{"name":"TLS_AES_128_GCM_SHA256"},{"name":"SSL_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},{"name":"SSL_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}]}`},
		{"PUT", lbPath(id), `{"loadBalancer":{"protocol":"TCP"}}`, 400, fault(400, "Cannot update protocol on a load balancer with ssl termination.")},
		// HTTPS redirect on HTTP needs SSL termination on 443, secure traffic only.
		{"PUT", lbPath(id), `{"loadBalancer":{"httpsRedirect":true}}`, 202, ""},
		{"DELETE", p, "", 400, fault(400, "Cannot delete SSL Termination while HTTPS Redirect is enabled. Please disable HTTPS Redirect and retry the operation.")},
		{"PUT", lbPath(id), `{"loadBalancer":{"httpsRedirect":false}}`, 202, ""},
		{"DELETE", p, "", 200, ""},
		{"GET", p, "", 404, fault(404, "SSL termination not found for requested load balancer.")},
	})
}

func TestCertificateMappings(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	p := lbPath(id, "/ssltermination/certificatemappings")
	mapping := fmt.Sprintf(`{"certificateMapping":{"hostName":"rackspace.com","privateKey":%s,"certificate":%s}}`,
		jsonString(testKey), jsonString(testCert))
	h.run([]step{
		{"GET", p, "", 200, `{"certificateMappings":[]}`},
		{"POST", p, mapping, 404, fault(404, "SSL termination not found for requested load balancer.")},
		{"PUT", lbPath(id, "/ssltermination"), fmt.Sprintf(`{"sslTermination":{"securePort":443,"privatekey":%s,"certificate":%s}}`,
			jsonString(testKey), jsonString(testCert)), 200, "*"},
		{"POST", p, `{"certificateMapping":{}}`, 400, validation(
			"Must provide a private key for the certificate mapping.", "Must provide a certificate for the certificate mapping.",
			"Must provide a host name for the certificate mapping.")},
	})
	r := h.do("POST", p, mapping)
	var created struct {
		CertificateMapping struct {
			ID int `json:"id"`
		} `json:"certificateMapping"`
	}
	_ = json.Unmarshal([]byte(r.body), &created)
	cm := created.CertificateMapping.ID
	h.expect(r, 200, fmt.Sprintf(`{"certificateMapping":{"id":%d,"hostName":"rackspace.com","certificate":%s}}`, cm, jsonString(testCert)))
	h.run([]step{
		{"POST", p, mapping, 400, fault(400, "Duplicate host names detected. Please provide a unique host name for each certificate mapping.")},
		{"GET", p, "", 200, fmt.Sprintf(`{"certificateMappings":[{"certificateMapping":{"id":%d,"hostName":"rackspace.com"}}]}`, cm)},
		{"PUT", p + fmt.Sprintf("/%d", cm), `{"certificateMapping":{"hostName":"*.rackspace.com"}}`, 202,
			fmt.Sprintf(`{"certificateMapping":{"id":%d,"hostName":"*.rackspace.com","certificate":%s}}`, cm, jsonString(testCert))},
		{"GET", p + fmt.Sprintf("/%d", cm), "", 200,
			fmt.Sprintf(`{"certificateMapping":{"id":%d,"hostName":"*.rackspace.com","certificate":%s}}`, cm, jsonString(testCert))},
		{"DELETE", p + fmt.Sprintf("/%d", cm), "", 200, ""},
		{"GET", p + fmt.Sprintf("/%d", cm), "", 404, fault(404, "Certificate mapping not found for requested load balancer.")},
	})
}

func TestMetadata(t *testing.T) {
	h := instant(t)
	id := h.create(simpleLB)
	p := lbPath(id, "/metadata")
	h.run([]step{
		{"GET", p, "", 200, `{"metadata":[]}`},
		{"POST", p, `{"metadata":[]}`, 400, validation("Must provide at least one metadata item")},
		{"POST", p, `{"metadata":[{"key":"a"},{"key":"a","value":"b"}]}`, 400, validation(
			"Must provide a value for the load balancer metadata item.",
			"Duplicate keys detected. Please ensure that the key is unique for each metadata item.")},
	})
	r := h.do("POST", p, `{"meta":{"key":"color","value":"blue"}}`)
	lb, _ := h.srv.LoadBalancer(id)
	mid := lb.Metadata[0].ID
	h.expect(r, 200, fmt.Sprintf(`{"metadata":[{"value":"blue","key":"color","id":%d}]}`, mid))
	h.run([]step{
		{"POST", p, `{"metadata":[{"key":"color","value":"red"}]}`, 422,
			fault(422, "Duplicate metadata keys detected. One or more metadata keys already configured on load balancer.")},
		{"GET", p + fmt.Sprintf("/%d", mid), "", 200, fmt.Sprintf(`{"meta":{"id":%d,"key":"color","value":"blue"}}`, mid)},
		{"PUT", p + fmt.Sprintf("/%d", mid), `{"meta":{"key":"x","value":"red"}}`, 400,
			validation("Load balancer meta key field cannot be modified.")},
		{"PUT", p + fmt.Sprintf("/%d", mid), `{"meta":{"value":"red"}}`, 200, ""},
		{"GET", p, "", 200, fmt.Sprintf(`{"metadata":[{"id":%d,"key":"color","value":"red"}]}`, mid)},
		{"DELETE", p + "?id=1", "", 400, fault(400, "Must provide valid metadata items, 1 could not be found.")},
		{"DELETE", p + fmt.Sprintf("?id=%d", mid), "", 200, ""},
		{"GET", p + fmt.Sprintf("/%d", mid), "", 404, fault(404, "Meta data item not found")},
	})

	nid := h.nodeIDs(id)[0]
	np := lbPath(id, fmt.Sprintf("/nodes/%d/metadata", nid))
	r = h.do("POST", np, `{"metadata":[{"key":"role","value":"web"}]}`)
	n, _ := h.srv.Node(id, nid)
	nm := n.Metadata[0].ID
	h.expect(r, 200, fmt.Sprintf(`{"metadata":[{"value":"web","key":"role","id":%d}]}`, nm))
	h.run([]step{
		{"PUT", np + fmt.Sprintf("/%d", nm), `{"meta":{"value":"api"}}`, 200, fmt.Sprintf(`{"meta":{"value":"api","key":"role","id":%d}}`, nm)},
		{"GET", np, "", 200, fmt.Sprintf(`{"metadata":[{"id":%d,"key":"role","value":"api"}]}`, nm)},
		{"GET", np + "/1", "", 404, fault(404, fmt.Sprintf("Node meta data 1 doesn't exist on node %d.", nid))},
		{"GET", lbPath(id, "/nodes/1/metadata"), "", 404, fault(404, "Node with id 1 doesn't exist")},
		{"DELETE", np + fmt.Sprintf("/%d", nm), "", 200, ""},
		{"GET", np, "", 200, `{"metadata":[]}`},
	})
}
