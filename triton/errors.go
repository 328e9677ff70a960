package triton

import (
	"errors"
	"net/http"

	"github.com/mockcloud/mockcloud/kit"
)

// restErr is what a *kit.Error carries for restify's body: the code (the
// status's own when empty) and VMAPI's ValidationFailed "errors".
type restErr struct {
	Code   string
	Errors []FieldError
}

// FieldError is one entry of VMAPI's and NAPI's ValidationFailed errors.
type FieldError struct {
	Field   string `json:"field"`
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
}

// errorBody is restify's error body.
type errorBody struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Errors  []FieldError `json:"errors,omitempty"`
}

// restCodes are restify's codes by status.
var restCodes = map[int]string{
	http.StatusBadRequest:            "BadRequest",
	http.StatusUnauthorized:          "Unauthorized",
	http.StatusForbidden:             "Forbidden",
	http.StatusNotFound:              "ResourceNotFound",
	http.StatusMethodNotAllowed:      "MethodNotAllowed",
	http.StatusConflict:              "Conflict",
	http.StatusGone:                  "Gone",
	http.StatusRequestEntityTooLarge: "PayloadTooLarge",
	http.StatusUnsupportedMediaType:  "UnsupportedMediaType",
	http.StatusTooManyRequests:       "TooManyRequests",
	http.StatusInternalServerError:   "InternalError",
	http.StatusServiceUnavailable:    "ServiceUnavailable",
}

// renderError is restify's {"code","message"} body.
func renderError(_ *http.Request, e *kit.Error) kit.Reply {
	body := errorBody{Code: restCodes[e.Status], Message: e.Message}
	if body.Code == "" {
		body.Code = "InternalError"
	}
	if x, ok := e.Extra.(restErr); ok {
		if x.Code != "" {
			body.Code = x.Code
		}
		body.Errors = x.Errors
	}
	return kit.JSON(e.Status, body)
}

// notFound is restify's answer for a path no route serves.
func notFound(r *http.Request) *kit.Error {
	return kit.NotFound("%s does not exist", r.URL.Path)
}

// restError is an error with a restify code of its own.
func restError(status int, code, msg string) *kit.Error {
	return &kit.Error{Status: status, Message: msg, Extra: restErr{Code: code}}
}

// validationFailed is VMAPI's and NAPI's 409 ValidationFailed.
func validationFailed(msg string, errs ...FieldError) *kit.Error {
	return &kit.Error{Status: http.StatusConflict, Message: msg, Extra: restErr{Code: "ValidationFailed", Errors: errs}}
}

func invalidParam(field, msg string) *kit.Error {
	if msg == "" {
		msg = "Invalid parameter"
	}
	return validationFailed("Invalid Parameters", FieldError{Field: field, Code: "Invalid", Message: msg})
}

func missingParam(field string) *kit.Error {
	return validationFailed("Invalid Parameters", FieldError{Field: field, Code: "MissingParameter", Message: "Missing parameter"})
}

// noAllocatable is CNAPI's (and so VMAPI's) NoAllocatableServersError.
func noAllocatable(reason string) *kit.Error {
	msg := "No compute resources available"
	if reason != "" {
		msg += ": " + reason
	}
	return restError(http.StatusConflict, "NoAllocatableServersError", msg)
}

// decode parses a JSON body into v, answering restify's 400 InvalidContent
// for malformed JSON.
func decode(c *kit.Call, v any, allowEmpty bool) error {
	if err := c.DecodeJSON(v, kit.DecodeOptions{AllowEmpty: allowEmpty}); err != nil {
		return restError(http.StatusBadRequest, "InvalidContent", kit.MessageOf(err))
	}
	return nil
}

// withValidationAs wraps each route's handler so that a validation failure
// (VMAPI's 409 ValidationFailed, how handlers report one) is rendered as
// another API reports it: status, message, code InvalidParameters and each
// field's code as fieldCode maps it.
func withValidationAs(routes []kit.Route, status int, message string, fieldCode func(string) string) []kit.Route {
	for i := range routes {
		h := routes[i].Handler
		routes[i].Handler = func(c *kit.Call) (kit.Reply, error) {
			reply, err := h(c)
			var e *kit.Error
			if err == nil || !errors.As(err, &e) {
				return reply, err
			}
			x, ok := e.Extra.(restErr)
			if !ok || x.Code != "ValidationFailed" {
				return reply, err
			}
			fields := make([]FieldError, len(x.Errors))
			for j, f := range x.Errors {
				f.Code = fieldCode(f.Code)
				fields[j] = f
			}
			return reply, &kit.Error{Status: status, Message: message, Extra: restErr{Code: "InvalidParameters", Errors: fields}}
		}
	}
	return routes
}
