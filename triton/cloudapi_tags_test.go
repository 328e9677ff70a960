package triton

import (
	"testing"
	"time"
)

func TestCloudAPITags(t *testing.T) {
	e := newCloudEnv(t)
	m := e.running(t, "", `,"tag.role":"web","tag.n":3`)
	path := "/alice/machines/" + m.ID + "/tags"
	if got := e.api.Get(path + "/n").Expect(200).String(); got != `""` {
		t.Errorf("a number tag reads %s, CloudAPI's \"\"", got)
	}
	expectCode(t, e.api.Get(path+"/nope"), 404, "ResourceNotFound")
	expectCode(t, e.api.Do("POST", path, `{"bad":{"x":1}}`), 409, "InvalidArgument")
	e.api.Do("PUT", path, `{"only":"this"}`).Expect(200).CheckJSON(`{"only":"this"}`)
	e.api.Get(path).Expect(200).CheckJSON(`{"role":"web","n":3}`)
	e.dc.Advance(time.Minute)
	e.api.Get(path).Expect(200).CheckJSON(`{"only":"this"}`)
	e.api.Do("DELETE", path+"/only", "").Expect(204)
	e.dc.Advance(time.Minute)
	e.api.Get(path).Expect(200).CheckJSON(`{}`)
	e.api.Do("POST", path, `{"a":"1","b":true}`).Expect(200).CheckJSON(`{"a":"1","b":true}`)
	e.dc.Advance(time.Minute)
	e.api.Do("DELETE", path, "").Expect(204)
	e.dc.Advance(time.Minute)
	e.api.Get(path).Expect(200).CheckJSON(`{}`)
}

func TestCloudAPIMetadata(t *testing.T) {
	e := newCloudEnv(t)
	m := e.running(t, "", `,"metadata.a":"1"`)
	path := "/alice/machines/" + m.ID + "/metadata"
	e.api.Do("POST", path, `{"b":2,"c":"three"}`).Expect(200).CheckJSON(`{"a":"1","b":"2","c":"three","root_authorized_keys":"<any>"}`)
	expectCode(t, e.api.Get(path+"/b"), 404, "ResourceNotFound")
	e.dc.Advance(time.Minute)
	if got := e.api.Get(path + "/b").Expect(200).String(); got != `"2"` {
		t.Errorf("metadata b = %s", got)
	}
	e.api.Do("DELETE", path+"/a", "").Expect(204)
	expectCode(t, e.api.Do("DELETE", path+"/zzz", ""), 404, "ResourceNotFound")
	e.dc.Advance(time.Minute)
	e.api.Get(path).Expect(200).CheckJSON(`{"b":"2","c":"three","root_authorized_keys":"<any>"}`)
	e.api.Do("DELETE", path, "").Expect(204)
	e.dc.Advance(time.Minute)
	e.api.Get(path).Expect(200).CheckJSON(`{"root_authorized_keys":"<any>"}`)
}
