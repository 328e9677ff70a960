package loadbalancer

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
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

func (c *CLB) sslRoutes() []apiRoute {
	const cm = "/loadbalancers/{lb_id}/ssltermination/certificatemappings"
	return []apiRoute{
		{OpGetSSLTermination, "GET", "/loadbalancers/{lb_id}/ssltermination", c.getSSLTermination},
		{OpUpdateSSLTermination, "PUT", "/loadbalancers/{lb_id}/ssltermination", c.updateSSLTermination},
		{OpDeleteSSLTermination, "DELETE", "/loadbalancers/{lb_id}/ssltermination", c.deleteSSLTermination},
		{OpListCiphers, "GET", "/loadbalancers/{lb_id}/ssltermination/ciphers", c.listCiphers},
		{OpListCertificateMappings, "GET", cm, c.listCertificateMappings},
		{OpAddCertificateMapping, "POST", cm, c.addCertificateMapping},
		{OpGetCertificateMapping, "GET", cm + "/{cm_id}", c.getCertificateMapping},
		{OpUpdateCertificateMapping, "PUT", cm + "/{cm_id}", c.updateCertificateMapping},
		{OpDeleteCertificateMapping, "DELETE", cm + "/{cm_id}", c.deleteCertificateMapping},
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

func (c *CLB) getSSLTermination(r *http.Request) (int, any, *apiError) {
	return c.readLB(r, func(lb *loadBalancer) (any, *apiError) {
		if lb.SSLTermination == nil {
			return nil, errorf(http.StatusNotFound, msgSSLNotFound)
		}
		return map[string]any{"sslTermination": renderSSL(lb.SSLTermination)}, nil
	})
}

// updateSSLTermination creates or changes SSL termination. A new
// configuration, or a new certificate or key, needs certificate, key and
// secure port together; enabled, secureTrafficOnly, securePort,
// cipherProfile and securityProtocols can change alone.
func (c *CLB) updateSSLTermination(r *http.Request) (int, any, *apiError) {
	var in sslBody
	if err := decodeWrapped(readBody(r), "sslTermination", false, &in); err != nil {
		return 0, nil, err
	}
	var msgs []string
	if present(in.ID) {
		msgs = append(msgs, "Id field cannot be modified.")
	}
	if (in.Certificate != nil || in.PrivateKey != nil || in.IntermediateCertificate != nil) &&
		(in.Certificate == nil || in.PrivateKey == nil || in.SecurePort == nil) {
		msgs = append(msgs, "Must supply certificates(s), key and secure port for updating ssl termination cert and or key values.")
	}
	if in.SecurePort != nil && (*in.SecurePort < 1 || *in.SecurePort > 65535) {
		msgs = append(msgs, "Must provide a valid secure port.")
	}
	if in.Certificate != nil && !validPEM(*in.Certificate, "CERTIFICATE") {
		msgs = append(msgs, "Certificate is invalid. Please provide a valid certificate.")
	}
	if in.PrivateKey != nil && !validPrivateKey(*in.PrivateKey) {
		msgs = append(msgs, "Private key is invalid. Please provide a valid private key.")
	}
	if in.IntermediateCertificate != nil && *in.IntermediateCertificate != "" && !validPEM(*in.IntermediateCertificate, "CERTIFICATE") {
		msgs = append(msgs, "Intermediate certificate is invalid. Please provide a valid intermediate certificate.")
	}
	seen := map[string]bool{}
	for _, p := range in.SecurityProtocols {
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
	if len(msgs) > 0 {
		return 0, nil, validationFailure(msgs...)
	}
	if in.CipherProfile != nil {
		if _, ok := cipherProfiles[*in.CipherProfile]; !ok {
			return 0, nil, badRequest("No Cipher Profile found with the name: '%s'", *in.CipherProfile)
		}
	}
	return c.changeLB(r, http.StatusOK, func(lb *loadBalancer) (any, *apiError) {
		if secureProtocol(lb.Protocol) || udpProtocol(lb.Protocol) {
			return nil, badRequest("SSL termination can only be configured on load balancers with a non-secure, TCP-based protocol.")
		}
		ssl := SSLTermination{Enabled: true, CipherProfile: "default"}
		if lb.SSLTermination != nil {
			ssl = *lb.SSLTermination
		} else if in.Certificate == nil {
			return nil, validationFailure("Must supply certificates(s), key and secure port for updating ssl termination.")
		}
		in.applyTo(&ssl)
		if ssl.SecurePort == lb.Port {
			return nil, badRequest("Secure port: '%d'  must be unique across loadbalancers shared virtual ips. Ports taken: '%d'", ssl.SecurePort, lb.Port)
		}
		if lb.HTTPSRedirect && (ssl.SecurePort != 443 || !ssl.SecureTrafficOnly || !ssl.Enabled) {
			return nil, badRequest("Must use secure port 443 with HTTPS Redirect enabled.")
		}
		lb.SSLTermination = &ssl
		return map[string]any{"sslTermination": renderSSL(&ssl)}, nil
	})
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

func (c *CLB) deleteSSLTermination(r *http.Request) (int, any, *apiError) {
	return c.changeLB(r, http.StatusOK, func(lb *loadBalancer) (any, *apiError) {
		if lb.SSLTermination == nil {
			return nil, badRequest("SSL termination could not be found for the requested loadbalancer.")
		}
		if lb.HTTPSRedirect && lb.Protocol != "HTTPS" {
			return nil, badRequest("Cannot delete SSL Termination while HTTPS Redirect is enabled. Please disable HTTPS Redirect and retry the operation.")
		}
		lb.SSLTermination = nil
		lb.CertificateMapping = nil
		return nil, nil
	})
}

func (c *CLB) listCiphers(r *http.Request) (int, any, *apiError) {
	return c.readLB(r, func(lb *loadBalancer) (any, *apiError) {
		profile := "default"
		if lb.SSLTermination != nil {
			profile = lb.SSLTermination.CipherProfile
		}
		out := []map[string]string{}
		for _, name := range cipherProfiles[profile] {
			out = append(out, map[string]string{"name": name})
		}
		return map[string]any{"ciphers": out}, nil
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

func renderMapping(m CertificateMapping, full bool) map[string]any {
	j := certMappingJSON{ID: m.ID, HostName: m.HostName}
	if full {
		j.Certificate, j.IntermediateCertificate = m.Certificate, m.IntermediateCertificate
	}
	return map[string]any{"certificateMapping": j}
}

func (c *CLB) listCertificateMappings(r *http.Request) (int, any, *apiError) {
	return c.readLB(r, func(lb *loadBalancer) (any, *apiError) {
		out := []map[string]any{}
		for _, m := range lb.CertificateMapping {
			out = append(out, renderMapping(m, false))
		}
		return map[string]any{"certificateMappings": out}, nil
	})
}

// mappingIndex finds the certificate mapping {cm_id} names: 404 when there
// is none.
func mappingIndex(ms []CertificateMapping, r *http.Request) (int, *apiError) {
	if id, err := strconv.Atoi(pathVar(r, "cm_id")); err == nil {
		for i, m := range ms {
			if m.ID == id {
				return i, nil
			}
		}
	}
	return -1, errorf(http.StatusNotFound, msgCertificateMappingAbsent)
}

// uniqueHostName refuses a host name another mapping (other than skip)
// already has.
func uniqueHostName(ms []CertificateMapping, name string, skip int) *apiError {
	for i, m := range ms {
		if i != skip && strings.EqualFold(m.HostName, name) {
			return badRequest("Duplicate host names detected. Please provide a unique host name for each certificate mapping.")
		}
	}
	return nil
}

func (c *CLB) addCertificateMapping(r *http.Request) (int, any, *apiError) {
	var in certMappingBody
	if err := decodeWrapped(readBody(r), "certificateMapping", false, &in); err != nil {
		return 0, nil, err
	}
	if msgs := in.validate(true); len(msgs) > 0 {
		return 0, nil, validationFailure(msgs...)
	}
	return c.changeLB(r, http.StatusOK, func(lb *loadBalancer) (any, *apiError) {
		if lb.SSLTermination == nil {
			return nil, errorf(http.StatusNotFound, msgSSLNotFound)
		}
		if limit := c.limits.CertificateMappings; limit > 0 && len(lb.CertificateMapping) >= limit {
			return nil, overLimit("Certificate mapping limit reached. Limit is set to '%d'. Please contact support if you would like to increase your limit.", limit)
		}
		if err := uniqueHostName(lb.CertificateMapping, *in.HostName, -1); err != nil {
			return nil, err
		}
		c.seq.cert++
		m := CertificateMapping{ID: c.seq.cert}
		in.applyTo(&m)
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

func (c *CLB) getCertificateMapping(r *http.Request) (int, any, *apiError) {
	return c.readLB(r, func(lb *loadBalancer) (any, *apiError) {
		i, err := mappingIndex(lb.CertificateMapping, r)
		if err != nil {
			return nil, err
		}
		return renderMapping(lb.CertificateMapping[i], true), nil
	})
}

func (c *CLB) updateCertificateMapping(r *http.Request) (int, any, *apiError) {
	var in certMappingBody
	if err := decodeWrapped(readBody(r), "certificateMapping", false, &in); err != nil {
		return 0, nil, err
	}
	if msgs := in.validate(false); len(msgs) > 0 {
		return 0, nil, validationFailure(msgs...)
	}
	return c.changeLB(r, http.StatusAccepted, func(lb *loadBalancer) (any, *apiError) {
		i, err := mappingIndex(lb.CertificateMapping, r)
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

func (c *CLB) deleteCertificateMapping(r *http.Request) (int, any, *apiError) {
	return c.changeLB(r, http.StatusOK, func(lb *loadBalancer) (any, *apiError) {
		i, err := mappingIndex(lb.CertificateMapping, r)
		if err != nil {
			return nil, err
		}
		lb.CertificateMapping = append(lb.CertificateMapping[:i:i], lb.CertificateMapping[i+1:]...)
		return nil, nil
	})
}
