package compute

import "testing"

// TestNoVNCURL: the websocket path noVNC is given is relative to the
// host's root, so it carries the prefix compute is mounted under.
func TestNoVNCURL(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"http://h:8900", "http://h:8900/vnc_auto.html?path=websockify%3Ftoken%3Dabc"},
		{"http://h:8900/compute/RegionOne", "http://h:8900/compute/RegionOne/vnc_auto.html?path=compute%2FRegionOne%2Fwebsockify%3Ftoken%3Dabc"},
	} {
		if got := noVNCURL(tc.base, "abc"); got != tc.want {
			t.Errorf("noVNCURL(%q) = %q, want %q", tc.base, got, tc.want)
		}
	}
}
