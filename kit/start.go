package kit

import "github.com/mockcloud/mockcloud/fake"

// Startable is a fake that serves on a loopback port once started.
type Startable interface {
	Start()
	Close()
}

// Start starts s and closes it when the test ends: what every package's
// New(t, …) does.
func Start[S Startable](t fake.TB, s S) S {
	t.Helper()
	s.Start()
	t.Cleanup(s.Close)
	return s
}
