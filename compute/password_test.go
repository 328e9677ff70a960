package compute_test

import "testing"

func TestServerPassword(t *testing.T) {
	a := newXAPI(t)
	id := a.server("pw")
	a.get("/servers/"+id+"/os-server-password").want(t, 200, `{"password":""}`)
	if err := a.c.SetServerPassword(id, "c2VjcmV0"); err != nil {
		t.Fatal(err)
	}
	a.get("/servers/"+id+"/os-server-password").want(t, 200, `{"password":"c2VjcmV0"}`)
	a.do("DELETE", "/servers/"+id+"/os-server-password", "").want(t, 204, "")
	a.get("/servers/"+id+"/os-server-password").want(t, 200, `{"password":""}`)
	a.get("/servers/nope/os-server-password").fault(t, 404, "Instance nope could not be found.")
	if err := a.c.SetServerPassword("nope", "x"); err == nil {
		t.Error("SetServerPassword of an unknown server: no error")
	}
}
