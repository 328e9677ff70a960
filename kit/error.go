package kit

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is the one error type of every service: an API failure that the
// kit renders in the service's native format (Nova's
// {"itemNotFound":{"code","message"}}, Fastly's {"msg","detail"} …). A
// handler returns it; so do Before, an Authenticator and the kit itself
// (404 and 405 from routing, 413 for a body over the limit, a fault's
// answer, 500 for a handler that panicked).
type Error struct {
	Status  int    // HTTP status, 400-599
	Message string // the human-readable message
	// Detail is a second message where the format has one (CLB's
	// "details"); "" when it has not or there is none.
	Detail string
	// Extra carries what only one service's format holds (CLB's validation
	// messages, a Nova fault name); its renderer type-asserts it.
	Extra any
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Message) }

// Errorf builds an *Error with a formatted message.
func Errorf(status int, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Status: status, Message: format}
	}
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// MessageOf is err's message: an *Error's Message, or err.Error().
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

// BadRequest is a 400 *Error.
func BadRequest(format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, format, args...)
}

// NotFound is a 404 *Error.
func NotFound(format string, args ...any) *Error {
	return Errorf(http.StatusNotFound, format, args...)
}

// Conflict is a 409 *Error.
func Conflict(format string, args ...any) *Error {
	return Errorf(http.StatusConflict, format, args...)
}

// Forbidden is a 403 *Error.
func Forbidden(format string, args ...any) *Error {
	return Errorf(http.StatusForbidden, format, args...)
}

// ErrorFormat renders an *Error as the service's native error body: the
// reply to send (usually JSON of the error's status). r is the request, for
// formats that depend on it (an API version).
type ErrorFormat func(r *http.Request, e *Error) Reply
