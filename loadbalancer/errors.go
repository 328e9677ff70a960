package loadbalancer

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// errorBody is the JSON form of every CLB fault: {"message", "code",
// "details"}, plus "validationErrors" for a badRequest that wraps
// validation messages.
type errorBody struct {
	ValidationErrors *validationErrors `json:"validationErrors,omitempty"`
	Message          string            `json:"message"`
	Code             int               `json:"code"`
	Details          string            `json:"details,omitempty"`
}

// validationErrors are the messages of a validation failure; they ride in
// kit.Error.Extra.
type validationErrors struct {
	Messages []string `json:"messages"`
}

// renderError is the service's native error format (kit.Spec.Errors): every
// failure, from a handler, a fault, the router, the token check or the
// body limit, answers in it. A request whose path ends in .atom (the node
// feed) gets the API's XML fault; every other request the JSON body.
func renderError(r *http.Request, e *kit.Error) kit.Reply {
	if strings.HasSuffix(r.URL.Path, ".atom") {
		return xmlFault(e)
	}
	b := errorBody{Message: e.Message, Code: e.Status, Details: e.Detail}
	if v, ok := e.Extra.(validationErrors); ok {
		b.ValidationErrors = &v
	}
	return kit.JSON(e.Status, b)
}

const (
	xmlDeclaration = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`
	xmlNamespace   = "http://docs.openstack.org/loadbalancers/api/v1.0"
)

// xmlFault is the XML form of a CLB fault, served as application/xml:
// <itemNotFound code="404"><message>…</message></itemNotFound> and the
// like, named for the status as the API names its faults, with <details>
// and <validationErrors> when the error has them. A 410 is the bare
// <message code="410">…</message> Mimic answers.
func xmlFault(e *kit.Error) kit.Reply {
	var b strings.Builder
	b.WriteString(xmlDeclaration)
	if e.Status == http.StatusGone {
		fmt.Fprintf(&b, `<message xmlns="%s" code="%d">%s</message>`, xmlNamespace, e.Status, xmlText(e.Message))
		return kit.Raw(e.Status, "application/xml", []byte(b.String()))
	}
	name := xmlFaultName(e.Status)
	fmt.Fprintf(&b, `<%s xmlns="%s" code="%d"><message>%s</message>`, name, xmlNamespace, e.Status, xmlText(e.Message))
	if e.Detail != "" {
		fmt.Fprintf(&b, "<details>%s</details>", xmlText(e.Detail))
	}
	if v, ok := e.Extra.(validationErrors); ok {
		b.WriteString("<validationErrors>")
		for _, m := range v.Messages {
			fmt.Fprintf(&b, "<message>%s</message>", xmlText(m))
		}
		b.WriteString("</validationErrors>")
	}
	fmt.Fprintf(&b, "</%s>", name)
	return kit.Raw(e.Status, "application/xml", []byte(b.String()))
}

// xmlFaultName is the element of the API's fault for status.
func xmlFaultName(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "badRequest"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusNotFound:
		return "itemNotFound"
	case http.StatusRequestEntityTooLarge:
		return "overLimit"
	case http.StatusUnprocessableEntity:
		return "immutableEntity"
	case http.StatusServiceUnavailable:
		return "serviceUnavailable"
	}
	return "loadBalancerFault"
}

// xmlText escapes s for XML character data.
func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// validationFailure is the badRequest fault that wraps validation messages.
func validationFailure(messages ...string) *kit.Error {
	return &kit.Error{
		Status: http.StatusBadRequest, Message: "Validation Failure",
		Detail: "The object is not valid", Extra: validationErrors{Messages: messages},
	}
}

// validation answers the validation failure of msgs, or nil when there are
// none.
func validation(msgs []string) error {
	if len(msgs) == 0 {
		return nil
	}
	return validationFailure(msgs...)
}

// schemaError answers a body that is not JSON, or not JSON of the expected
// shape (an unknown member, a wrong type), before anything else is checked.
func schemaError(detail string) *kit.Error {
	return &kit.Error{Status: http.StatusBadRequest, Message: "JSON does not match the expected schema", Detail: detail}
}

const (
	msgLBNotFound     = "Load balancer not found"
	msgLBMarkedDelete = "The loadbalancer is marked as deleted."
	msgLBDeleted      = "The load balancer is deleted and considered immutable."
	msgNotActive      = "LoadBalancer is not ACTIVE"
	msgNoIDs          = "Must supply one or more id's to process this request."
)

func lbNotFound() *kit.Error { return kit.Errorf(http.StatusNotFound, msgLBNotFound) }

func lbGone() *kit.Error { return kit.Errorf(http.StatusGone, msgLBMarkedDelete) }

func immutable(id int, status string) *kit.Error {
	return kit.Errorf(http.StatusUnprocessableEntity,
		"Load Balancer '%d' has a status of '%s' and is considered immutable.", id, status)
}

func overLimit(format string, args ...any) *kit.Error {
	return kit.Errorf(http.StatusRequestEntityTooLarge, format, args...)
}

// decodeBody reads a JSON object into v, rejecting unknown members.
func decodeBody(body []byte, v any) error {
	if err := kit.DecodeJSON(body, v, kit.DecodeOptions{DisallowUnknownFields: true}); err != nil {
		return schemaError(strings.TrimPrefix(kit.MessageOf(err), "Malformed request body: "))
	}
	return nil
}

// decodeWrapped reads {"<key>": {...}} into v. With unwrapped set, a body
// without the wrapper is read as the object itself (some clients send it so).
func decodeWrapped(body []byte, key string, unwrapped bool, v any) error {
	var top map[string]json.RawMessage
	if err := kit.DecodeJSON(body, &top, kit.DecodeOptions{}); err != nil {
		return schemaError(strings.TrimPrefix(kit.MessageOf(err), "Malformed request body: "))
	}
	inner, ok := top[key]
	switch {
	case ok && len(top) == 1:
		if string(inner) == "null" {
			return schemaError(key + " must be an object, not null")
		}
		return decodeBody(inner, v)
	case ok:
		for k := range top {
			if k != key {
				return schemaError(fmt.Sprintf("unknown field %q", k))
			}
		}
	case unwrapped:
		return decodeBody(body, v)
	}
	return schemaError(fmt.Sprintf("the body must be a %q object", key))
}

// flexInt is an integer member; like the real API's JSON binding it also
// takes a numeric string ("port": "80").
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("%s is not an integer", b)
	}
	*f = flexInt(n)
	return nil
}

// flexBool is a boolean member that also takes "true" and "false".
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch strings.ToLower(strings.Trim(string(b), `"`)) {
	case "true":
		*f = true
	case "false":
		*f = false
	default:
		return fmt.Errorf("%s is not a boolean", b)
	}
	return nil
}

// get reports whether the member is present and true.
func (f *flexBool) get() bool { return f != nil && bool(*f) }

// flexString is a string member that also takes a number or a boolean, as
// Mimic's metadata presets are often sent ({"key": "lb_building", "value": 1}).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*f = flexString(n.String())
		return nil
	}
	var v bool
	if err := json.Unmarshal(b, &v); err == nil {
		*f = flexString(strconv.FormatBool(v))
		return nil
	}
	return fmt.Errorf("%s is not a string", b)
}

// present reports whether a raw member was sent at all.
func present(raw json.RawMessage) bool { return len(raw) > 0 }

// queryIDs parses ?id=1&id=2. Values that are not numbers are returned in
// bad, as strings.
func queryIDs(call *kit.Call) (ids []int, bad []string) {
	seen := map[int]bool{}
	for _, v := range call.Query()["id"] {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			bad = append(bad, v)
			continue
		}
		if !seen[n] {
			seen[n] = true
			ids = append(ids, n)
		}
	}
	return ids, bad
}

// joinInts is "1,2,3" in ascending order.
func joinInts(ids []int) string {
	s := append([]int(nil), ids...)
	sort.Ints(s)
	parts := make([]string, len(s))
	for i, n := range s {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}
