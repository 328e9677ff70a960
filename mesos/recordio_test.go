package mesos_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/mockcloud/mockcloud/mesos"
)

func TestRecordReader(t *testing.T) {
	r := mesos.NewRecordReader(strings.NewReader("5\nhello0\n3\nabc"))
	for _, want := range []string{"hello", "", "abc"} {
		rec, err := r.Next()
		if err != nil || string(rec) != want {
			t.Fatalf("Next() = %q, %v; want %q", rec, err, want)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("at the end: %v, want io.EOF", err)
	}
	for in, want := range map[string]error{
		"x\nabc":      mesos.ErrRecordIO,
		"-1\n":        mesos.ErrRecordIO,
		"99999999\n":  mesos.ErrRecordIO,
		"5\nab":       io.ErrUnexpectedEOF,
		"5":           io.ErrUnexpectedEOF,
		"67108865\nx": mesos.ErrRecordIO,
	} {
		if _, err := mesos.NewRecordReader(strings.NewReader(in)).Next(); !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", in, err, want)
		}
	}
}
