package kittest_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/mockcloud/mockcloud/fake"
	"github.com/mockcloud/mockcloud/kit"
	"github.com/mockcloud/mockcloud/kit/kittest"
)

// recorder is a testing.TB that keeps what a check reports.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func echo() kit.Descriptor {
	return kit.Descriptor{
		Name: "echo", Prefix: "/echo",
		New: func(env kit.Env, site kit.Site, _ []fake.Option) (kit.Instance, error) {
			return kit.NewService(env, site.Region, kit.Spec{
				Name: "echo",
				Errors: func(_ *http.Request, e *kit.Error) kit.Reply {
					return kit.JSON(e.Status, map[string]string{"error": e.Message})
				},
				Routes: func() []kit.Route {
					return []kit.Route{{Op: "echo.get", Method: "GET", Path: "/things/{id}", Handler: func(c *kit.Call) (kit.Reply, error) {
						return kit.OK(map[string]any{"id": c.Var("id"), "region": c.Request.Header.Get("X-Region"), "n": []int{1, 2}}), nil
					}}}
				},
			}), nil
		},
	}
}

func TestInCloudAndCheckJSON(t *testing.T) {
	journal := fake.NewJournal(0)
	svc := kittest.InCloud[*kit.Service](t, echo(), kit.Env{Journal: journal}, kit.Site{Region: "R1"})
	c := kittest.New(t, svc.URL(), svc.Client()).With("/things", "X-Region", "north")

	r := c.Get("/7").Expect(http.StatusOK)
	if !r.CheckJSON(`{"id":"7","region":"north","n":["<any>",2]}`) {
		t.Error("CheckJSON with a mask failed")
	}
	rec := &recorder{TB: t}
	if c.In(rec).Get("/8").CheckJSON(`{"id":"7","region":"north","n":[1,2]}`) || len(rec.errors) != 1 {
		t.Errorf("CheckJSON of a different body: %q", rec.errors)
	}
	if got := journal.Requests(); len(got) != 2 || got[0].Region != "R1" || got[0].Op != "echo.get" {
		t.Errorf("journal = %+v", got)
	}
	c.Get("/9", "X-Region", "").CheckJSON(`{"id":"9","region":"","n":[1,2]}`)
}
