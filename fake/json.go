package fake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// DefaultMaxBody is the request body limit a Service applies when MaxBody is
// zero: large enough for any control-plane call, small enough that a runaway
// client gets a 413 instead of eating the test's memory.
const DefaultMaxBody = 1 << 20

// Error is an HTTP failure a handler returns for its service to render in
// the service's native error format.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Message) }

// Errorf builds an *Error with a formatted message.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// DecodeOptions tune DecodeJSON.
type DecodeOptions struct {
	// DisallowUnknownFields rejects members the target does not declare, as
	// APIs with additionalProperties=false schemas (Nova) do.
	DisallowUnknownFields bool
	// AllowEmpty accepts an empty body, leaving v untouched.
	AllowEmpty bool
}

// DecodeJSON decodes the request body (already bounded by the Service
// pipeline) into v. It returns a 400 *Error naming what is wrong: an empty
// body, malformed JSON with its byte offset, a value of the wrong type with
// its field, trailing data, or an unknown field when opts ask for it.
func DecodeJSON(r *http.Request, v any, opts DecodeOptions) *Error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return Errorf(http.StatusBadRequest, "could not read request body: %v", err)
	}
	return DecodeJSONBytes(body, v, opts)
}

// DecodeJSONBytes is DecodeJSON over a body already read.
func DecodeJSONBytes(body []byte, v any, opts DecodeOptions) *Error {
	if len(bytes.TrimSpace(body)) == 0 {
		if opts.AllowEmpty {
			return nil
		}
		return Errorf(http.StatusBadRequest, "The request body is empty; a JSON object is required.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if opts.DisallowUnknownFields {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return Errorf(http.StatusBadRequest, "Malformed request body: %s", describeJSONError(err))
	}
	// Not dec.More(): it reports false for a stray "}" or "]", so "{}}"
	// would pass.
	if len(bytes.TrimSpace(body[dec.InputOffset():])) > 0 {
		return Errorf(http.StatusBadRequest, "Malformed request body: unexpected data after the JSON value")
	}
	return nil
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "the body"
		}
		return fmt.Sprintf("%s must be %s, not JSON %s", field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON value is truncated"
	default:
		return strings.TrimPrefix(err.Error(), "json: ")
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr", "interface":
		return "an object"
	default:
		return "a number"
	}
}

// WriteJSON writes v as the response body with the given status. Headers are
// set before WriteHeader, as they must be.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only a programming error in a fake gets here; say so plainly rather
		// than sending half a body.
		http.Error(w, "mockcloud: cannot encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
