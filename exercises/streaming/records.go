package streaming

import (
	"io"
	"iter"

	"github.com/llmperf/workbook/lessons/todo"
)

// Records returns the records of r: runs of non-blank lines separated by blank ones.
//
//   - Lines end with "\n" or "\r\n"; the last line may end with neither. Neither ending is part of a record.
//   - A line of white space only (strings.TrimSpace gives "") is blank. Runs of blank lines, and blank lines at
//     the start or end, separate nothing: never yield an empty record.
//   - A record is its lines joined with "\n"; the lines are otherwise kept as they are.
//   - Lines may be longer than bufio.MaxScanTokenSize (64 KiB).
//   - A read error is yielded once, as ("", err) with err wrapping the reader's error (%w), and is the last thing
//     yielded. The record it interrupted may be dropped.
//   - Stop as soon as yield returns false.
//
// Read r as the consumer asks for records (bufio), never all of it first: memory must not grow with r.
//
// The suite checks each point on a table of cases read whole, a byte at a time, in halves and with io.EOF along
// with the last data; on 300 generated logs; on lines of 200 KB; with a read error after each of four inputs;
// with a consumer that stops early; and by counting the bytes read before the third record of a 64 MiB input.
func Records(r io.Reader) iter.Seq2[string, error] {
	todo.Exercise("records") // delete this line and return an iterator over the records of r
	return nil
}
