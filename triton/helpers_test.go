package triton_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit/kittest"
	"github.com/mockcloud/mockcloud/triton"
)

const owner = "930896af-bf8c-48d4-885c-6573a94b1853"

// env is a started DC with a client per API, over the in-memory transport.
type env struct {
	t                  *testing.T
	dc                 *triton.Triton
	vmapi, cnapi, napi *kittest.Client
}

func newEnv(t *testing.T, opts ...fake.Option) *env {
	t.Helper()
	dc := triton.New(t, opts...)
	return &env{t: t, dc: dc,
		vmapi: kittest.New(t, dc.VMAPIURL(), dc.API(triton.VMAPI).Client()),
		cnapi: kittest.New(t, dc.CNAPIURL(), dc.API(triton.CNAPI).Client()),
		napi:  kittest.New(t, dc.NAPIURL(), dc.API(triton.NAPI).Client()),
	}
}

// vmBody is a CreateVm body for owner on the external network.
func vmBody(alias string, ram int) string {
	b, _ := json.Marshal(map[string]any{"owner_uuid": owner, "alias": alias, "brand": "joyent", "ram": ram,
		"image_uuid": "2b683a82-a066-11e3-97ab-2faa44701c5a", "networks": []string{"external"}, "tags": map[string]any{"role": "web"}})
	return string(b)
}

// create provisions a VM over VMAPI and returns its UUID and job.
func (e *env) create(alias string, ram int) (string, string) {
	e.t.Helper()
	var out struct {
		VMUUID  string `json:"vm_uuid"`
		JobUUID string `json:"job_uuid"`
	}
	e.vmapi.Do("POST", "/vms", vmBody(alias, ram)).Expect(202).Decode(&out)
	return out.VMUUID, out.JobUUID
}

// settle moves past any job's end.
func (e *env) settle() { e.dc.Advance(time.Minute) }

func (e *env) vm(uuid string) triton.VM {
	e.t.Helper()
	v, ok := e.dc.VM(uuid)
	if !ok {
		e.t.Fatalf("VM %s not found", uuid)
	}
	return v
}

// errorBody checks a restify error body.
func checkError(t *testing.T, r *kittest.Response, status int, code string) {
	t.Helper()
	r.Expect(status)
	var body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Errors  []struct {
			Field   string `json:"field"`
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	r.Decode(&body)
	if body.Code != code || body.Message == "" {
		t.Errorf("error body = %s, want code %q and a message", r.Body, code)
	}
}

func fakeJournalLimit() fake.Option { return fake.WithJournalLimit(64) }

func itoa(n int) string { return strconv.Itoa(n) }
