// Package fake is what a test author uses with every mockcloud fake: the
// shared options ([WithClock], [WithSeed], [WithRegion]), fault rules as
// data ([Fault], [Faults]), the request journal ([Request], [Journal]) and
// the helpers that assert on it ([Filter], [Ops], [CheckOps]).
//
// Writing a fake of your own? The service author's kit is package
// github.com/mockcloud/mockcloud/kit.
//
// Nothing in this package keeps package-level state: every table and journal
// belongs to the value that created it.
package fake
