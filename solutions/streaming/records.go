package streaming

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"
)

// Records returns the records of r: runs of non-blank lines separated by blank ones. Lines end with "\n" or
// "\r\n" (the final one may end with neither); a line of white space only is blank; a record is its lines joined
// with "\n". Lines may be of any length. A read error is yielded once, wrapped, as the last value; the record it
// interrupted is dropped, since it may be cut short.
//
// Records reads r as the consumer asks: memory holds one record and a 64 KiB buffer, whatever the size of r.
func Records(r io.Reader) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		var rec, long []byte // the record so far; a line longer than br's buffer, assembled
		lines := 0
		for {
			line, err := br.ReadSlice('\n')
			if err == bufio.ErrBufferFull {
				long = append(long, line...)
				continue
			}
			if len(long) > 0 {
				long = append(long, line...)
				line = long
			}
			if err != nil && err != io.EOF {
				yield("", fmt.Errorf("records: reading line %d: %w", lines+1, err))
				return
			}
			lines++
			line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
			if len(bytes.TrimSpace(line)) == 0 {
				if len(rec) > 0 {
					if !yield(string(rec), nil) {
						return
					}
					rec = rec[:0]
				}
			} else {
				if len(rec) > 0 {
					rec = append(rec, '\n')
				}
				rec = append(rec, line...)
			}
			long = long[:0]
			if err == io.EOF {
				if len(rec) > 0 {
					yield(string(rec), nil)
				}
				return
			}
		}
	}
}

// ScanRecords is Records built on bufio.Scanner with a split function: the library's way. maxRecord bounds a
// record's size (bufio.ErrTooLong beyond it), which Records does not need.
func ScanRecords(r io.Reader, maxRecord int) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), maxRecord)
		sc.Split(splitRecord)
		for sc.Scan() {
			if rec := sc.Text(); rec != "" && !yield(rec, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield("", fmt.Errorf("records: %w", err))
		}
	}
}

// splitRecord is a bufio.SplitFunc giving one record per token, normalized as Records does: it skips blank
// lines, finds the blank line (or the end of input) after a record, and returns the record's bytes with the
// "\r" of "\r\n" endings removed. Without carriage returns the token is a slice of data, with no copy.
func splitRecord(data []byte, atEOF bool) (advance int, token []byte, err error) {
	start, end := -1, 0 // the record's first byte; the end of its last non-blank line so far
	for pos := 0; pos < len(data); {
		i := bytes.IndexByte(data[pos:], '\n')
		next := pos + i + 1
		if i < 0 {
			if !atEOF {
				break
			}
			next = len(data)
		}
		line := bytes.TrimSuffix(data[pos:next], []byte("\n"))
		if len(bytes.TrimSpace(line)) == 0 {
			if start >= 0 {
				return next, clean(data[start:end]), nil
			}
		} else {
			if start < 0 {
				start = pos
			}
			end = pos + len(line)
		}
		pos = next
	}
	switch {
	case atEOF && start >= 0:
		return len(data), clean(data[start:end]), nil
	case atEOF || start < 0 && len(data) > 0 && data[len(data)-1] == '\n':
		return len(data), nil, nil // only blank lines: skip them
	}
	return 0, nil, nil // need more data
}

// clean drops the "\r" before each "\n" and at the end.
func clean(rec []byte) []byte {
	if bytes.IndexByte(rec, '\r') < 0 {
		return rec
	}
	out := bytes.ReplaceAll(rec, []byte("\r\n"), []byte("\n"))
	return bytes.TrimSuffix(out, []byte("\r"))
}
