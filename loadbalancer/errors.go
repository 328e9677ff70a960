package loadbalancer

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/fake"
)

// apiError is a failure in the API's own format: {"message", "code",
// "details"}, plus "validationErrors" for a badRequest that wraps validation
// messages.
type apiError struct {
	status     int
	message    string
	details    string
	validation []string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.status, e.message) }

// errorBody is the JSON form of every CLB fault.
type errorBody struct {
	ValidationErrors *validationErrors `json:"validationErrors,omitempty"`
	Message          string            `json:"message"`
	Code             int               `json:"code"`
	Details          string            `json:"details,omitempty"`
}

type validationErrors struct {
	Messages []string `json:"messages"`
}

func (e *apiError) body() errorBody {
	b := errorBody{Message: e.message, Code: e.status, Details: e.details}
	if e.validation != nil {
		b.ValidationErrors = &validationErrors{Messages: e.validation}
	}
	return b
}

// writeCLBError is the service's native error writer (faults, 404/405 from
// the router, token failures, oversized bodies).
func writeCLBError(w http.ResponseWriter, _ *http.Request, status int, message string) {
	fake.WriteJSON(w, status, errorBody{Message: message, Code: status})
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	fake.WriteJSON(w, e.status, e.body())
}

func errorf(status int, format string, args ...any) *apiError {
	return &apiError{status: status, message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, format, args...)
}

// validationFailure is the badRequest fault that wraps validation messages.
func validationFailure(messages ...string) *apiError {
	return &apiError{
		status: http.StatusBadRequest, message: "Validation Failure",
		details: "The object is not valid", validation: messages,
	}
}

// schemaError answers a body that is not JSON, or not JSON of the expected
// shape (an unknown member, a wrong type), before anything else is checked.
func schemaError(detail string) *apiError {
	return &apiError{status: http.StatusBadRequest, message: "JSON does not match the expected schema", details: detail}
}

const (
	msgLBNotFound     = "Load balancer not found"
	msgLBMarkedDelete = "The loadbalancer is marked as deleted."
	msgLBDeleted      = "The load balancer is deleted and considered immutable."
	msgNotActive      = "LoadBalancer is not ACTIVE"
	msgNoIDs          = "Must supply one or more id's to process this request."
)

func lbNotFound() *apiError { return errorf(http.StatusNotFound, msgLBNotFound) }

func lbGone() *apiError { return errorf(http.StatusGone, msgLBMarkedDelete) }

func immutable(id int, status string) *apiError {
	return errorf(http.StatusUnprocessableEntity,
		"Load Balancer '%d' has a status of '%s' and is considered immutable.", id, status)
}

func overLimit(format string, args ...any) *apiError {
	return errorf(http.StatusRequestEntityTooLarge, format, args...)
}

// handlerFunc is an API handler: it returns a status and a body (nil for
// none), or the fault to answer with.
type handlerFunc func(r *http.Request) (int, any, *apiError)

// serve adapts a handlerFunc. Handlers build their answer under the lock
// and return plain values; the answer is written after the lock is gone.
func (c *CLB) serve(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body, err := h(r)
		if x, ok := body.(xmlBody); ok {
			ct := "application/xml"
			if x.status == http.StatusOK {
				ct = "application/atom+xml"
			}
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Content-Length", strconv.Itoa(len(x.body)))
			w.WriteHeader(x.status)
			_, _ = io.WriteString(w, x.body)
			return
		}
		switch {
		case err != nil:
			writeAPIError(w, err)
		case body == nil:
			w.WriteHeader(status)
		default:
			fake.WriteJSON(w, status, body)
		}
	})
}

// decodeBody reads a JSON object into v, rejecting unknown members.
func decodeBody(body []byte, v any) *apiError {
	if err := fake.DecodeJSONBytes(body, v, fake.DecodeOptions{DisallowUnknownFields: true}); err != nil {
		return schemaError(strings.TrimPrefix(err.Message, "Malformed request body: "))
	}
	return nil
}

// decodeWrapped reads {"<key>": {...}} into v. With unwrapped set, a body
// without the wrapper is read as the object itself (some clients send it so).
func decodeWrapped(body []byte, key string, unwrapped bool, v any) *apiError {
	var top map[string]json.RawMessage
	if err := fake.DecodeJSONBytes(body, &top, fake.DecodeOptions{}); err != nil {
		return schemaError(strings.TrimPrefix(err.Message, "Malformed request body: "))
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
func queryIDs(r *http.Request) (ids []int, bad []string) {
	seen := map[int]bool{}
	for _, v := range r.URL.Query()["id"] {
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
