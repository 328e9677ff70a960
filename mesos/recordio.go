package mesos

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// RecordReader reads the RecordIO framing of the master's event streams
// ("<length>\n<record>", the record JSON or protobuf as negotiated), for
// tests that read a SUBSCRIBE answer themselves:
//
//	resp, _ := client.Do(subscribe)
//	events := mesos.NewRecordReader(resp.Body)
//	record, err := events.Next()
type RecordReader struct {
	br  *bufio.Reader
	max int
}

// MaxRecord bounds a record's length: a longer one, as a stream that is
// not RecordIO would claim, is an error rather than an allocation.
const MaxRecord = 64 << 20

// NewRecordReader reads records from r.
func NewRecordReader(r io.Reader) *RecordReader {
	return &RecordReader{br: bufio.NewReaderSize(r, 64<<10), max: MaxRecord}
}

// ErrRecordIO is a malformed record length.
var ErrRecordIO = errors.New("mesos: malformed RecordIO")

// Next returns the next record (a fresh slice), io.EOF at the end of the
// stream, or an error wrapping ErrRecordIO for a bad length.
func (r *RecordReader) Next() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	n, err := strconv.Atoi(string(line[:len(line)-1]))
	if err != nil || n < 0 || n > r.max {
		return nil, fmt.Errorf("%w: length %q", ErrRecordIO, line[:len(line)-1])
	}
	rec := make([]byte, n)
	if _, err := io.ReadFull(r.br, rec); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return rec, nil
}
