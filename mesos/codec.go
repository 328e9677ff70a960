package mesos

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/mockcloud/mockcloud/kit"
)

// codec is a form of the v1 API's messages: JSON or protobuf, chosen per
// request by Content-Type and per response by Accept, as the master does.
type codec uint8

const (
	codecJSON codec = iota
	codecProtobuf
)

const (
	mediaJSON     = "application/json"
	mediaProtobuf = "application/x-protobuf"
)

func (c codec) contentType() string {
	if c == codecProtobuf {
		return mediaProtobuf
	}
	return mediaJSON
}

// marshal encodes a message of the schema (an event or a response).
func (c codec) marshal(v any) []byte {
	if c == codecProtobuf {
		return marshalPB(v)
	}
	return mustJSON(v)
}

// reply is an operator response in this codec. JSON goes through the kit
// (which encodes it after the handler, outside the master's lock).
func (c codec) reply(v any) kit.Reply {
	if c == codecProtobuf {
		return kit.Raw(http.StatusOK, mediaProtobuf, marshalPB(v))
	}
	return kit.OK(v)
}

// heartbeat is the HEARTBEAT event of a scheduler's or an operator's
// stream in this codec.
func (c codec) heartbeat(operator bool) []byte {
	switch {
	case c == codecJSON:
		return heartbeatJSON
	case operator:
		return heartbeatOperatorPB
	}
	return heartbeatSchedulerPB
}

var (
	heartbeatJSON = []byte(`{"type":"HEARTBEAT"}`)
	// Event.type = 1, HEARTBEAT: 8 in scheduler.Event.Type, 9 in
	// master.Event.Type.
	heartbeatSchedulerPB = []byte{1<<3 | wireVarint, 8}
	heartbeatOperatorPB  = []byte{1<<3 | wireVarint, 9}
)

// requestCodec applies the master's Content-Type rules: required, and
// exactly application/json or application/x-protobuf.
func requestCodec(r *http.Request) (codec, *kit.Error) {
	vs, ok := r.Header["Content-Type"]
	if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
		return 0, badRequest("Expecting 'Content-Type' to be present")
	}
	switch vs[0] {
	case mediaJSON:
		return codecJSON, nil
	case mediaProtobuf:
		return codecProtobuf, nil
	}
	if _, _, err := mime.ParseMediaType(vs[0]); err != nil {
		return 0, badRequest("Malformed 'Content-Type' header '%s': %v", vs[0], err)
	}
	return 0, kit.Errorf(http.StatusUnsupportedMediaType, "Expecting 'Content-Type' of %s or %s", mediaJSON, mediaProtobuf)
}

// responseCodec is the form of the answer: JSON when Accept allows it,
// else protobuf when it allows that (no Accept allows anything), as the
// master prefers.
func responseCodec(r *http.Request) (codec, *kit.Error) {
	switch {
	case accepts(r, mediaJSON):
		return codecJSON, nil
	case accepts(r, mediaProtobuf):
		return codecProtobuf, nil
	}
	return 0, kit.Errorf(http.StatusNotAcceptable,
		"Expecting 'Accept' to allow '%s' or '%s'", mediaProtobuf, mediaJSON)
}

// accepts reports whether the Accept header allows the media type.
func accepts(r *http.Request, media string) bool {
	vs := r.Header.Values("Accept")
	if len(vs) == 0 {
		return true
	}
	for _, v := range vs {
		for _, part := range strings.Split(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			if q, ok := params["q"]; ok {
				if f, err := strconv.ParseFloat(q, 64); err == nil && f <= 0 {
					continue
				}
			}
			if mt == "*/*" || mt == "application/*" || mt == media {
				return true
			}
		}
	}
	return false
}
