package fake

// TB is the part of testing.TB that mockcloud needs. *testing.T and
// *testing.B satisfy it; so does any harness that can register cleanups and
// report errors, which keeps mockcloud usable outside "go test".
type TB interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}
