package loadbalancer

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// Route names of the SSL termination API.
const (
	OpGetSSLTermination         = "loadbalancer.ssltermination.get"
	OpUpdateSSLTermination      = "loadbalancer.ssltermination.update"
	OpDeleteSSLTermination      = "loadbalancer.ssltermination.delete"
	OpListCiphers               = "loadbalancer.ssltermination.ciphers"
	OpListCertificateMappings   = "loadbalancer.certificatemappings.list"
	OpAddCertificateMapping     = "loadbalancer.certificatemappings.create"
	OpGetCertificateMapping     = "loadbalancer.certificatemappings.get"
	OpUpdateCertificateMapping  = "loadbalancer.certificatemappings.update"
	OpDeleteCertificateMapping  = "loadbalancer.certificatemappings.delete"
	msgSSLNotFound              = "SSL termination not found for requested load balancer."
	msgCertificateMappingAbsent = "Certificate mapping not found for requested load balancer."
)

func (c *CLB) sslRoutes() []kit.Route {
	const cm = "/loadbalancers/{lb_id}/ssltermination/certificatemappings"
	return []kit.Route{
		{Op: OpGetSSLTermination, Method: "GET", Path: "/loadbalancers/{lb_id}/ssltermination", Handler: c.getSSLTermination},
		{Op: OpUpdateSSLTermination, Method: "PUT", Path: "/loadbalancers/{lb_id}/ssltermination", Handler: c.updateSSLTermination},
		{Op: OpDeleteSSLTermination, Method: "DELETE", Path: "/loadbalancers/{lb_id}/ssltermination", Handler: c.deleteSSLTermination},
		{Op: OpListCiphers, Method: "GET", Path: "/loadbalancers/{lb_id}/ssltermination/ciphers", Handler: c.listCiphers},
		{Op: OpListCertificateMappings, Method: "GET", Path: cm, Handler: c.listCertificateMappings},
		{Op: OpAddCertificateMapping, Method: "POST", Path: cm, Handler: c.addCertificateMapping},
		{Op: OpGetCertificateMapping, Method: "GET", Path: cm + "/{cm_id}", Handler: c.getCertificateMapping},
		{Op: OpUpdateCertificateMapping, Method: "PUT", Path: cm + "/{cm_id}", Handler: c.updateCertificateMapping},
		{Op: OpDeleteCertificateMapping, Method: "DELETE", Path: cm + "/{cm_id}", Handler: c.deleteCertificateMapping},
	}
}

// cipherProfiles are the named cipher suites SSL termination can use.
var cipherProfiles = map[string][]string{
	"default": {
		"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "SSL_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"SSL_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "SSL_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "SSL_ECDHE_RSA_WITH_AES_256_CBC_SHA",
		"SSL_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "SSL_ECDHE_RSA_WITH_AES_128_CBC_SHA", "SSL_RSA_WITH_AES_256_GCM_SHA384",
		"SSL_RSA_WITH_AES_256_CBC_SHA256", "SSL_RSA_WITH_AES_256_CBC_SHA", "SSL_RSA_WITH_AES_128_GCM_SHA256",
		"SSL_RSA_WITH_AES_128_CBC_SHA256", "SSL_RSA_WITH_AES_128_CBC_SHA", "SSL_RSA_WITH_3DES_EDE_CBC_SHA",
	},
	"CLBCipherPolicy2017-08": {
		"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "SSL_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"SSL_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "SSL_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "SSL_ECDHE_RSA_WITH_AES_256_CBC_SHA",
		"SSL_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "SSL_ECDHE_RSA_WITH_AES_128_CBC_SHA", "SSL_RSA_WITH_AES_256_GCM_SHA384",
		"SSL_RSA_WITH_AES_256_CBC_SHA256", "SSL_RSA_WITH_AES_256_CBC_SHA", "SSL_RSA_WITH_AES_128_GCM_SHA256",
		"SSL_RSA_WITH_AES_128_CBC_SHA256", "SSL_RSA_WITH_AES_128_CBC_SHA",
	},
	"CLBCipherPolicy2019-05": {
		"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "SSL_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"SSL_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
	},
}

type securityProtocolJSON struct {
	Name   string `json:"securityProtocolName"`
	Status string `json:"securityProtocolStatus"`
}

type sslBody struct {
	SecurePort              *flexInt               `json:"securePort"`
	PrivateKey              *string                `json:"privatekey"`
	Certificate             *string                `json:"certificate"`
	IntermediateCertificate *string                `json:"intermediateCertificate"`
	Enabled                 *flexBool              `json:"enabled"`
	SecureTrafficOnly       *flexBool              `json:"secureTrafficOnly"`
	CipherProfile           *string                `json:"cipherProfile"`
	SecurityProtocols       []securityProtocolJSON `json:"securityProtocols"`
	ID                      json.RawMessage        `json:"id"`
}

type sslJSON struct {
	Enabled                 bool                   `json:"enabled"`
	SecureTrafficOnly       bool                   `json:"secureTrafficOnly"`
	SecurePort              int                    `json:"securePort"`
	CipherProfile           string                 `json:"cipherProfile"`
	SecurityProtocols       []securityProtocolJSON `json:"securityProtocols"`
	Certificate             string                 `json:"certificate,omitempty"`
	IntermediateCertificate string                 `json:"intermediateCertificate,omitempty"`
}

func renderSSL(s *SSLTermination) sslJSON {
	status := func(disabled bool) string {
		if disabled {
			return "DISABLED"
		}
		return "ENABLED"
	}
	return sslJSON{
		Enabled: s.Enabled, SecureTrafficOnly: s.SecureTrafficOnly, SecurePort: s.SecurePort,
		CipherProfile: s.CipherProfile,
		SecurityProtocols: []securityProtocolJSON{
			{"TLS_10", status(s.TLS10Disabled)}, {"TLS_11", status(s.TLS11Disabled)},
		},
		Certificate: s.Certificate, IntermediateCertificate: s.IntermediateCertificate,
	}
}

func validPEM(s, kind string) bool {
	return strings.Contains(s, "-----BEGIN "+kind) && strings.Contains(s, "-----END "+kind)
}

func validPrivateKey(s string) bool {
	return strings.Contains(s, "-----BEGIN ") && strings.Contains(s, "PRIVATE KEY-----")
}

func secureProtocol(p string) bool {
	return p == "HTTPS" || p == "IMAPS" || p == "LDAPS" || p == "POP3S"
}

func (c *CLB) getSSLTermination(call *kit.Call) (kit.Reply, error) {
	return c.readLB(call, func(lb *loadBalancer) (any, error) {
		if lb.SSLTermination == nil {
			return nil, kit.Errorf(http.StatusNotFound, msgSSLNotFound)
		}
		return sslTerminationJSON{renderSSL(lb.SSLTermination)}, nil
	})
}

type sslTerminationJSON struct {
	SSLTermination sslJSON `json:"sslTermination"`
}

// updateSSLTermination creates or changes SSL termination. A new
// configuration, or a new certificate or key, needs certificate, key and
// secure port together; enabled, secureTrafficOnly, securePort,
// cipherProfile and securityProtocols can change alone.
func (c *CLB) updateSSLTermination(call *kit.Call) (kit.Reply, error) {
	var in sslBody
	if err := decodeWrapped(call.Body, "sslTermination", true, &in); err != nil {
		return kit.Reply{}, err
	}
	if err := in.validate(); err != nil {
		return kit.Reply{}, err
	}
	return c.changeLB(call, http.StatusOK, func(lb *loadBalancer) (any, error) {
		ssl, err := in.configure(lb)
		if err != nil {
			return nil, err
		}
		lb.SSLTermination = &ssl
		return sslTerminationJSON{renderSSL(&ssl)}, nil
	})
}

// validate is the validation of an SSL termination body, then the check
// of its cipher profile.
func (in *sslBody) validate() error {
	var msgs []string
	add := func(ok bool, msg string) {
		if !ok {
			msgs = append(msgs, msg)
		}
	}
	add(!present(in.ID), "Id field cannot be modified.")
	add((in.Certificate == nil && in.PrivateKey == nil && in.IntermediateCertificate == nil) ||
		(in.Certificate != nil && in.PrivateKey != nil && in.SecurePort != nil),
		"Must supply certificates(s), key and secure port for updating ssl termination cert and or key values.")
	add(in.SecurePort == nil || (*in.SecurePort >= 1 && *in.SecurePort <= 65535), "Must provide a valid secure port.")
	add(in.Certificate == nil || validPEM(*in.Certificate, "CERTIFICATE"), "Certificate is invalid. Please provide a valid certificate.")
	add(in.PrivateKey == nil || validPrivateKey(*in.PrivateKey), "Private key is invalid. Please provide a valid private key.")
	add(in.IntermediateCertificate == nil || *in.IntermediateCertificate == "" || validPEM(*in.IntermediateCertificate, "CERTIFICATE"),
		"Intermediate certificate is invalid. Please provide a valid intermediate certificate.")
	msgs = append(msgs, validateSecurityProtocols(in.SecurityProtocols)...)
	if err := validation(msgs); err != nil {
		return err
	}
	if in.CipherProfile != nil {
		if _, ok := cipherProfiles[*in.CipherProfile]; !ok {
			return kit.BadRequest("No Cipher Profile found with the name: '%s'", *in.CipherProfile)
		}
	}
	return nil
}

func validateSecurityProtocols(ps []securityProtocolJSON) []string {
	var msgs []string
	seen := map[string]bool{}
	for _, p := range ps {
		if p.Name != "TLS_10" && p.Name != "TLS_11" {
			msgs = append(msgs, "Must provide a valid security protocol name: TLS_10 or TLS_11.")
		}
		if p.Status != "ENABLED" && p.Status != "DISABLED" {
			msgs = append(msgs, "Must provide a valid security protocol status: ENABLED or DISABLED.")
		}
		if seen[p.Name] {
			msgs = append(msgs, "Found duplicate Security protocols.")
		}
		seen[p.Name] = true
	}
	return msgs
}

// configure is lb's SSL termination once the body is applied, checked
// against the load balancer's protocol, port and HTTPS redirect.
func (in *sslBody) configure(lb *loadBalancer) (SSLTermination, error) {
	if secureProtocol(lb.Protocol) || udpProtocol(lb.Protocol) {
		return SSLTermination{}, kit.BadRequest("SSL termination can only be configured on load balancers with a non-secure, TCP-based protocol.")
	}
	ssl := SSLTermination{Enabled: true, CipherProfile: "default"}
	if lb.SSLTermination != nil {
		ssl = *lb.SSLTermination
	} else if in.Certificate == nil {
		return ssl, validationFailure("Must supply certificates(s), key and secure port for updating ssl termination.")
	}
	in.applyTo(&ssl)
	if ssl.SecurePort == lb.Port {
		return ssl, kit.BadRequest("Secure port: '%d'  must be unique across loadbalancers shared virtual ips. Ports taken: '%d'", ssl.SecurePort, lb.Port)
	}
	if lb.HTTPSRedirect && (ssl.SecurePort != 443 || !ssl.SecureTrafficOnly || !ssl.Enabled) {
		return ssl, kit.BadRequest("Must use secure port 443 with HTTPS Redirect enabled.")
	}
	return ssl, nil
}

// applyTo sets what the body names.
func (in *sslBody) applyTo(ssl *SSLTermination) {
	if in.SecurePort != nil {
		ssl.SecurePort = int(*in.SecurePort)
	}
	if in.Certificate != nil {
		ssl.Certificate, ssl.PrivateKey = *in.Certificate, *in.PrivateKey
		ssl.IntermediateCertificate = ""
		if in.IntermediateCertificate != nil {
			ssl.IntermediateCertificate = *in.IntermediateCertificate
		}
	}
	if in.Enabled != nil {
		ssl.Enabled = bool(*in.Enabled)
	}
	if in.SecureTrafficOnly != nil {
		ssl.SecureTrafficOnly = bool(*in.SecureTrafficOnly)
	}
	if in.CipherProfile != nil {
		ssl.CipherProfile = *in.CipherProfile
	}
	for _, p := range in.SecurityProtocols {
		if p.Name == "TLS_10" {
			ssl.TLS10Disabled = p.Status == "DISABLED"
		} else {
			ssl.TLS11Disabled = p.Status == "DISABLED"
		}
	}
}

func (c *CLB) deleteSSLTermination(call *kit.Call) (kit.Reply, error) {
	return c.changeLB(call, http.StatusOK, func(lb *loadBalancer) (any, error) {
		if lb.SSLTermination == nil {
			return nil, kit.BadRequest("SSL termination could not be found for the requested loadbalancer.")
		}
		if lb.HTTPSRedirect && lb.Protocol != "HTTPS" {
			return nil, kit.BadRequest("Cannot delete SSL Termination while HTTPS Redirect is enabled. Please disable HTTPS Redirect and retry the operation.")
		}
		lb.SSLTermination = nil
		lb.CertificateMapping = nil
		return nil, nil
	})
}

func (c *CLB) listCiphers(call *kit.Call) (kit.Reply, error) {
	return c.readLB(call, func(lb *loadBalancer) (any, error) {
		profile := "default"
		if lb.SSLTermination != nil {
			profile = lb.SSLTermination.CipherProfile
		}
		return struct {
			Ciphers []nameJSON `json:"ciphers"`
		}{namesJSON(cipherProfiles[profile])}, nil
	})
}

// ---- certificate mappings

type certMappingBody struct {
	HostName                *string         `json:"hostName"`
	PrivateKey              *string         `json:"privateKey"`
	Certificate             *string         `json:"certificate"`
	IntermediateCertificate *string         `json:"intermediateCertificate"`
	ID                      json.RawMessage `json:"id"`
}

func (b *certMappingBody) validate(creating bool) []string {
	var msgs []string
	add := func(ok bool, msg string) {
		if !ok {
			msgs = append(msgs, msg)
		}
	}
	add(!present(b.ID), "Certificate mapping id field cannot be modified.")
	if b.PrivateKey != nil {
		add(validPrivateKey(*b.PrivateKey), "Private key is invalid. Please provide a valid private key.")
	}
	if b.Certificate != nil {
		add(validPEM(*b.Certificate, "CERTIFICATE"), "Certificate is invalid. Please provide a valid certificate.")
	}
	if b.IntermediateCertificate != nil && *b.IntermediateCertificate != "" {
		add(validPEM(*b.IntermediateCertificate, "CERTIFICATE"), "Intermediate certificate is invalid. Please provide a valid intermediate certificate.")
	}
	if b.HostName != nil {
		add(validHostHeader(strings.TrimPrefix(*b.HostName, "*.")), "Host name is invalid. Please provide a valid host name.")
	}
	if creating {
		add(b.PrivateKey != nil, "Must provide a private key for the certificate mapping.")
		add(b.Certificate != nil, "Must provide a certificate for the certificate mapping.")
		add(b.HostName != nil, "Must provide a host name for the certificate mapping.")
	} else {
		add(b.HostName != nil || b.PrivateKey != nil || b.Certificate != nil || b.IntermediateCertificate != nil,
			"The certificate mapping must have at least one of the following to update: certificate, privateKey, intermediateCertificate, or hostName.")
	}
	return msgs
}

type certMappingJSON struct {
	ID                      int    `json:"id"`
	HostName                string `json:"hostName"`
	Certificate             string `json:"certificate,omitempty"`
	IntermediateCertificate string `json:"intermediateCertificate,omitempty"`
}

// oneMappingJSON is {"certificateMapping": {…}}, alone or in a list.
type oneMappingJSON struct {
	CertificateMapping certMappingJSON `json:"certificateMapping"`
}

func renderMapping(m CertificateMapping, full bool) oneMappingJSON {
	j := certMappingJSON{ID: m.ID, HostName: m.HostName}
	if full {
		j.Certificate, j.IntermediateCertificate = m.Certificate, m.IntermediateCertificate
	}
	return oneMappingJSON{j}
}

func (c *CLB) listCertificateMappings(call *kit.Call) (kit.Reply, error) {
	return c.readLB(call, func(lb *loadBalancer) (any, error) {
		out := []oneMappingJSON{}
		for _, m := range lb.CertificateMapping {
			out = append(out, renderMapping(m, false))
		}
		return struct {
			CertificateMappings []oneMappingJSON `json:"certificateMappings"`
		}{out}, nil
	})
}

// mappingIndex finds the certificate mapping {cm_id} names: 404 when there
// is none.
func mappingIndex(ms []CertificateMapping, call *kit.Call) (int, error) {
	if id, err := strconv.Atoi(call.Var("cm_id")); err == nil {
		for i, m := range ms {
			if m.ID == id {
				return i, nil
			}
		}
	}
	return -1, kit.Errorf(http.StatusNotFound, msgCertificateMappingAbsent)
}

// uniqueHostName refuses a host name another mapping (other than skip)
// already has.
func uniqueHostName(ms []CertificateMapping, name string, skip int) error {
	for i, m := range ms {
		if i != skip && strings.EqualFold(m.HostName, name) {
			return kit.BadRequest("Duplicate host names detected. Please provide a unique host name for each certificate mapping.")
		}
	}
	return nil
}

func (c *CLB) addCertificateMapping(call *kit.Call) (kit.Reply, error) {
	var in certMappingBody
	if err := decodeWrapped(call.Body, "certificateMapping", false, &in); err != nil {
		return kit.Reply{}, err
	}
	if msgs := in.validate(true); len(msgs) > 0 {
		return kit.Reply{}, validationFailure(msgs...)
	}
	return c.changeLB(call, http.StatusOK, func(lb *loadBalancer) (any, error) {
		if lb.SSLTermination == nil {
			return nil, kit.Errorf(http.StatusNotFound, msgSSLNotFound)
		}
		if limit := c.cfg.limits.CertificateMappings; limit > 0 && len(lb.CertificateMapping) >= limit {
			return nil, overLimit("Certificate mapping limit reached. Limit is set to '%d'. Please contact support if you would like to increase your limit.", limit)
		}
		if err := uniqueHostName(lb.CertificateMapping, *in.HostName, -1); err != nil {
			return nil, err
		}
		var m CertificateMapping
		in.applyTo(&m)
		m = c.mappingsLocked([]CertificateMapping{m})[0]
		lb.CertificateMapping = append(lb.CertificateMapping, m)
		return renderMapping(m, true), nil
	})
}

// applyTo sets what the body names.
func (b *certMappingBody) applyTo(m *CertificateMapping) {
	if b.HostName != nil {
		m.HostName = *b.HostName
	}
	if b.Certificate != nil {
		m.Certificate = *b.Certificate
	}
	if b.PrivateKey != nil {
		m.PrivateKey = *b.PrivateKey
	}
	if b.IntermediateCertificate != nil {
		m.IntermediateCertificate = *b.IntermediateCertificate
	}
}

func (c *CLB) getCertificateMapping(call *kit.Call) (kit.Reply, error) {
	return c.readLB(call, func(lb *loadBalancer) (any, error) {
		i, err := mappingIndex(lb.CertificateMapping, call)
		if err != nil {
			return nil, err
		}
		return renderMapping(lb.CertificateMapping[i], true), nil
	})
}

func (c *CLB) updateCertificateMapping(call *kit.Call) (kit.Reply, error) {
	var in certMappingBody
	if err := decodeWrapped(call.Body, "certificateMapping", false, &in); err != nil {
		return kit.Reply{}, err
	}
	if msgs := in.validate(false); len(msgs) > 0 {
		return kit.Reply{}, validationFailure(msgs...)
	}
	return c.changeLB(call, http.StatusAccepted, func(lb *loadBalancer) (any, error) {
		i, err := mappingIndex(lb.CertificateMapping, call)
		if err != nil {
			return nil, err
		}
		if in.HostName != nil {
			if err := uniqueHostName(lb.CertificateMapping, *in.HostName, i); err != nil {
				return nil, err
			}
		}
		m := lb.CertificateMapping[i]
		in.applyTo(&m)
		lb.CertificateMapping[i] = m
		return renderMapping(m, true), nil
	})
}

func (c *CLB) deleteCertificateMapping(call *kit.Call) (kit.Reply, error) {
	return c.changeLB(call, http.StatusOK, func(lb *loadBalancer) (any, error) {
		i, err := mappingIndex(lb.CertificateMapping, call)
		if err != nil {
			return nil, err
		}
		lb.CertificateMapping = append(lb.CertificateMapping[:i:i], lb.CertificateMapping[i+1:]...)
		return nil, nil
	})
}
