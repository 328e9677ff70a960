// Nova's request schemas: the checks and the jsonschema messages the
// handlers share.

package compute

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mockcloud/mockcloud/kit"
)

// decodeServerBody reads {"<key>": {...}} with Nova's schema errors:
// a missing wrapper, an unknown member, a member of the wrong type.
func decodeServerBody(call *kit.Call, key string, allowed map[string]bool, v any) error {
	body := call.Body
	_, err := decodeWrapped(body, key, allowed, v)
	return err
}

// decodeWrapped is decodeServerBody over bytes; it also returns the whole
// wrapper, for siblings such as os:scheduler_hints.
func decodeWrapped(body []byte, key string, allowed map[string]bool, v any) (map[string]json.RawMessage, error) {
	var wrapper map[string]json.RawMessage
	if err := kit.DecodeJSON(body, &wrapper, kit.DecodeOptions{}); err != nil {
		return nil, err
	}
	raw, ok := wrapper[key]
	if !ok {
		// An error at the body's root has no field: Nova's message is
		// jsonschema's alone.
		return nil, kit.BadRequest("'%s' is a required property", key)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of type 'object'", key, raw, raw)
	}
	if allowed != nil {
		if msg := notAllowed(members, func(k string) bool { return allowed[k] }); msg != "" {
			return nil, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s", key, raw, msg)
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not of the expected type", te.Field, members[strings.Split(te.Field, ".")[0]], te.Value)
		}
		return nil, kit.BadRequest("Invalid input for field/attribute %s: %v", key, err)
	}
	return wrapper, nil
}

// validName is Nova's v2.1 name rule (parameter_types.name): 1 to 255
// printable characters of the Basic Multilingual Plane, not starting or
// ending with a space.
func validName(name string) bool {
	return nameProblem(name, false) == ""
}

// nameProblem says why name breaks Nova's rule ("" when it does not): the
// v2.1 rule, or with legacy the /v2 root's, which allows leading and
// trailing spaces as long as one character is not a space.
func nameProblem(name string, legacy bool) string {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return "'' is too short"
	case n > 255:
		return fmt.Sprintf("'%s' is too long", name)
	}
	isSpace := func(r rune) bool { return unicode.Is(unicode.Zs, r) }
	printable, nonSpace := true, false
	for _, r := range name {
		// Nova's character class: categories L, M, N, P, S and Zs below U+FFFF.
		if r == utf8.RuneError || r >= 0xFFFF || !unicode.IsGraphic(r) {
			printable = false
		} else if !isSpace(r) {
			nonSpace = true
		}
	}
	first, _ := utf8.DecodeRuneInString(name)
	last, _ := utf8.DecodeLastRuneInString(name)
	switch {
	case legacy && (!printable || !nonSpace):
		return "An invalid 'name' value was provided. The name must be: printable characters with at least one non space character"
	case !legacy && (!printable || isSpace(first) || isSpace(last)):
		return "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace."
	}
	return ""
}

// checkName validates a name member the way Nova's schema does on the
// root the request came in on.
func checkName(call *kit.Call, field, name string) error {
	return nameError(field, name, nameProblem(name, versionRoot(call) == "/v2"))
}

// nameError is Nova's answer to a name nameProblem finds fault with.
func nameError(field, name, problem string) error {
	switch {
	case problem == "":
		return nil
	case strings.HasPrefix(problem, "An invalid"):
		return kit.BadRequest("%s", problem)
	}
	return kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s", field, name, problem)
}

// validateMetadata checks metadata against the metadata_items quota
// (Nova's MetadataLimitExceeded, 403) and the 255-character limits.
func validateMetadata(md map[string]string, limit int) error {
	if limit >= 0 && len(md) > limit {
		return kit.Forbidden("Maximum number of metadata items exceeds %d", limit)
	}
	for k, v := range md {
		if k == "" || utf8.RuneCountInString(k) > 255 {
			return kit.BadRequest("Invalid input for field/attribute metadata. Value: %q. Metadata keys must be 1 to 255 characters long", k)
		}
		if utf8.RuneCountInString(v) > 255 {
			return kit.BadRequest("Invalid input for field/attribute metadata. Value: %q. Metadata values must be at most 255 characters long", v)
		}
	}
	return nil
}

// optString is a string member that may be absent, null or a string:
// Nova's ['string', 'null'] members, where null clears.
type optString struct {
	Set   bool
	Value string
}

func (o *optString) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = ""
		return nil
	}
	if err := json.Unmarshal(b, &o.Value); err != nil {
		return fmt.Errorf("must be a string or null")
	}
	return nil
}

// checkDescription is Nova's description rule: at most 255 printable
// characters.
func checkDescription(d string) error {
	if utf8.RuneCountInString(d) > 255 {
		return kit.BadRequest("Invalid input for field/attribute description. Value: %s. '%s' is too long", d, d)
	}
	for _, r := range d {
		if r == utf8.RuneError || r >= 0xFFFF || !unicode.IsGraphic(r) {
			return kit.BadRequest("Invalid input for field/attribute description. Value: %s. '%s' does not match printable characters", d, d)
		}
	}
	return nil
}

// idFromHref is Nova's common.get_id_from_href: a reference may be an ID
// or a URL whose last path segment is the ID.
func idFromHref(ref string) string {
	if !strings.Contains(ref, "/") {
		return ref
	}
	if u, err := url.Parse(ref); err == nil {
		ref = u.Path
	}
	return ref[strings.LastIndex(ref, "/")+1:]
}

// checkAccessIP validates accessIPv4 / accessIPv6 (formats ipv4, ipv6;
// the empty string is allowed).
func checkAccessIP(field, value string, v6 bool) error {
	if value == "" {
		return nil
	}
	if net.ParseIP(value) == nil || strings.Contains(value, ":") != v6 {
		format := "ipv4"
		if v6 {
			format = "ipv6"
		}
		return kit.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' is not a '%s'", field, value, value, format)
	}
	return nil
}

// pyValue renders a JSON value as Nova's validation messages print it
// after "Value:" (Python's str of the decoded value); "None" for an
// absent one.
func pyValue(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "None"
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	switch x := v.(type) {
	case nil:
		return "None"
	case bool:
		if x {
			return "True"
		}
		return "False"
	case string:
		return x
	}
	return string(raw)
}

// pyRepr is Python's repr of a decoded JSON value, as jsonschema messages
// quote instances: strings in single quotes.
func pyRepr(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) == nil {
		if s, ok := v.(string); ok {
			return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
		}
	}
	return pyValue(raw)
}

// schemaInt validates a member of Nova's integer-or-digit-string schemas
// (flavor sizes, quota values) and returns its value.
func schemaInt(field string, raw json.RawMessage, pattern *regexp.Regexp, min, max int64) (int64, error) {
	invalid := func(msg string) error {
		return kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s", field, pyValue(raw), msg)
	}
	var n int64
	var s string
	switch {
	case json.Unmarshal(raw, &s) == nil:
		if !pattern.MatchString(s) {
			return 0, invalid(fmt.Sprintf("'%s' does not match '%s'", s, pattern.String()))
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, invalid(fmt.Sprintf("%s is greater than the maximum of %d", s, max))
		}
		n = v
	default:
		var num json.Number
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		if dec.Decode(&num) != nil {
			return 0, invalid(fmt.Sprintf("%s is not of type 'integer', 'string'", pyRepr(raw)))
		}
		v, err := strconv.ParseInt(num.String(), 10, 64)
		if err != nil {
			if f, ferr := num.Float64(); ferr == nil && f > float64(max) {
				return 0, invalid(fmt.Sprintf("%s is greater than the maximum of %d", num, max))
			}
			return 0, invalid(fmt.Sprintf("%s is not of type 'integer', 'string'", num))
		}
		n = v
	}
	if n < min {
		return 0, invalid(fmt.Sprintf("%d is less than the minimum of %d", n, min))
	}
	if n > max {
		return 0, invalid(fmt.Sprintf("%d is greater than the maximum of %d", n, max))
	}
	return n, nil
}

// validNovaName is parameter_types.name (the v2.1 rule of nameProblem):
// 1 to 255 printable characters, not starting or ending with whitespace.
func validNovaName(field, name string) error {
	return nameError(field, name, nameProblem(name, false))
}

// extraSpecKey is the key pattern of Nova's metadata schemas.
var extraSpecKey = regexp.MustCompile(`^[a-zA-Z0-9-_:. ]{1,255}$`)

const maxDBInt = 0x7FFFFFFF

// quotedList renders values as a Python list literal, for enum messages.
func quotedList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = "'" + v + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// parseBoolString is oslo's strict bool_from_string.
func parseBoolString(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "t", "true", "on", "y", "yes":
		return true, true
	case "0", "f", "false", "off", "n", "no":
		return false, true
	}
	return false, false
}

// novaBooleans are the values of Nova's parameter_types.boolean.
var novaBooleans = map[string]bool{
	"True": true, "TRUE": true, "true": true, "1": true, "ON": true, "On": true, "on": true,
	"YES": true, "Yes": true, "yes": true,
	"False": false, "FALSE": false, "false": false, "0": false, "OFF": false, "Off": false, "off": false,
	"NO": false, "No": false, "no": false,
}

const novaBooleanEnum = "[True, 'True', 'TRUE', 'true', '1', 'ON', 'On', 'on', 'YES', 'Yes', 'yes', " +

	"False, 'False', 'FALSE', 'false', '0', 'OFF', 'Off', 'off', 'NO', 'No', 'no']"

// schemaBool validates a member of parameter_types.boolean: a JSON
// boolean or one of the strings oslo's bool_from_string knows (not null).
func schemaBool(field string, raw json.RawMessage) (bool, error) {
	var b bool
	if !isJSONNull(raw) && json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	if s, ok := jsonString(raw); ok {
		if v, ok := novaBooleans[s]; ok {
			return v, nil
		}
	}
	return false, kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s is not one of %s", field, pyValue(raw), pyRepr(raw), novaBooleanEnum)
}

// jsonString decodes a JSON string. Unlike json.Unmarshal into a string,
// it does not take null for "".
func jsonString(raw json.RawMessage) (string, bool) {
	var s string
	if isJSONNull(raw) || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func isJSONNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// membersOf decodes {"<key>": {...}} into its members, rejecting members
// not in allowed (nil: any).
func membersOf(call *kit.Call, key string, allowed map[string]bool) (map[string]json.RawMessage, error) {
	var members map[string]json.RawMessage
	if _, err := decodeWrapped(call.Body, key, allowed, &members); err != nil {
		return nil, err
	}
	if members == nil {
		members = map[string]json.RawMessage{}
	}
	return members, nil
}

// compactMembers renders an object's members back as JSON, for messages.
func compactMembers(m map[string]json.RawMessage) string {
	b, err := json.Marshal(m)
	if err != nil {
		return "{...}"
	}
	return string(b)
}

// Schema checks shared by the server extensions, with Nova's
// (jsonschema's) messages.

// nvFieldErr is Nova's body schema error for one member.
func nvFieldErr(field string, raw json.RawMessage, format string, args ...any) error {
	return kit.BadRequest("Invalid input for field/attribute %s. Value: %s. %s", field, pyValue(raw), fmt.Sprintf(format, args...))
}

// nvOnlyKeys refuses a body with members other than the wrapper.
func nvOnlyKeys(wrapper map[string]json.RawMessage, keys ...string) error {
	if msg := notAllowed(wrapper, func(k string) bool { return slices.Contains(keys, k) }); msg != "" {
		return kit.BadRequest("%s", msg)
	}
	return nil
}

// nvEnum checks a required string member with an enum.
func nvEnum(wrapperKey string, wrapperRaw json.RawMessage, field string, raw json.RawMessage, enum []string) (string, error) {
	if len(raw) == 0 {
		return "", kit.BadRequest("Invalid input for field/attribute %s. Value: %s. '%s' is a required property", wrapperKey, pyValue(wrapperRaw), field)
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", nvFieldErr(field, raw, "%s is not of type 'string'", pyRepr(raw))
	}
	if !slices.Contains(enum, s) {
		return "", nvFieldErr(field, raw, "%s is not one of ['%s']", pyRepr(raw), strings.Join(enum, "', '"))
	}
	return s, nil
}

// pyBase64 reports whether Python's base64.decodebytes, which Nova's
// "base64" format checks with, takes s: characters outside the alphabet
// are dropped, and what is left must not end short of its padding.
func pyBase64(s string) bool {
	data, pad := base64Chars(s)
	switch data % 4 {
	case 0:
		return true
	case 1:
		return false
	}
	return pad >= 4-data%4
}

// base64Chars counts the base64 alphabet's characters in s, and its
// padding characters.
func base64Chars(s string) (data, pad int) {
	for _, r := range s {
		switch {
		case r == '=':
			pad++
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '+', r == '/':
			data++
		}
	}
	return data, pad
}
