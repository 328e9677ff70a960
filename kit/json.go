package kit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// DecodeOptions tune DecodeJSON.
type DecodeOptions struct {
	// DisallowUnknownFields rejects members the target does not declare, as
	// APIs with additionalProperties=false schemas (Nova) do.
	DisallowUnknownFields bool
	// AllowEmpty accepts an empty body, leaving v untouched.
	AllowEmpty bool
}

// DecodeJSON decodes body into v. It returns nil or a 400 *Error naming what
// is wrong: an empty body, malformed JSON with its byte offset, a value of
// the wrong type with its field, trailing data, or an unknown field when
// opts ask for it. Numbers decode as json.Number into interface values.
func DecodeJSON(body []byte, v any, opts DecodeOptions) error {
	if err := decodeJSON(body, v, opts); err != nil {
		return err
	}
	return nil // not a nil *Error in a non-nil error
}

func decodeJSON(body []byte, v any, opts DecodeOptions) *Error {
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
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
