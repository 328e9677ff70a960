// Package examples drives mockcloud with real client SDKs (gophercloud v2
// today). It is a module of its own so that the root module depends on
// nothing but its four libraries; the tests here are the proof that the
// fakes speak the wire format the real clients expect. quickstart_test.go
// is the README's quick start (a test keeps the two equal);
// synctest_test.go runs a Cloud inside testing/synctest bubbles.
package examples
