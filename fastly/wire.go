package fastly

import (
	"strconv"
	"time"
)

// timeFormat is how Fastly writes timestamps ("2022-11-04T17:51:46Z").
const timeFormat = "2006-01-02T15:04:05Z"

// jsonTime is a timestamp as Fastly renders it: "2022-11-04T17:51:46Z", or
// null when unset.
type jsonTime time.Time

func (t jsonTime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return []byte("null"), nil
	}
	b := make([]byte, 0, len(timeFormat)+2)
	b = append(b, '"')
	b = tt.UTC().AppendFormat(b, timeFormat)
	return append(b, '"'), nil
}

// bit is a boolean Fastly renders as the string "1" or "0".
type bit bool

func (b bit) MarshalJSON() ([]byte, error) {
	if b {
		return []byte(`"1"`), nil
	}
	return []byte(`"0"`), nil
}

// versionNo is the version a resource belongs to: a number on newer
// resources (domains, backends …), a string ("12") on older ones
// (conditions, headers …).
type versionNo struct {
	n      int
	quoted bool
}

func (v versionNo) MarshalJSON() ([]byte, error) {
	if v.quoted {
		return strconv.AppendQuote(nil, strconv.Itoa(v.n)), nil
	}
	return strconv.AppendInt(nil, int64(v.n), 10), nil
}

// meta is what Fastly renders with every object of a version.
type meta struct {
	ServiceID string    `json:"service_id"`
	Version   versionNo `json:"version"`
	CreatedAt jsonTime  `json:"created_at"`
	UpdatedAt jsonTime  `json:"updated_at"`
	DeletedAt jsonTime  `json:"deleted_at"`
}

// statusWire is Fastly's {"status": "ok"}, with a purge's ID when it has one.
type statusWire struct {
	Status string `json:"status"`
	ID     string `json:"id,omitempty"`
}

var statusOK = statusWire{Status: "ok"}

// none is an empty JSON list of a kind the fake does not model
// (environments, ACLs, directors).
type none = []struct{}
