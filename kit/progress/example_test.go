package progress_test

import (
	"fmt"
	"os"
	"time"

	"github.com/llmperf/workbook/kit/progress"
)

func ExampleText() {
	fmt.Println(progress.Text("summaries", 25, 100, 5*time.Second, 20))
	// Output: summaries [#####...............]  25/100  25%  5s  ~15s left
}

func ExampleNew() {
	p := progress.New("calls", 3) // in a notebook: updates in place; on a terminal: a bar on stderr
	for range 3 {
		p.Add(1)
	}
	p.Done()
}

func ExampleNewText() {
	p := progress.NewText(os.Stdout, "chunks", 0, false) // not live: only the final line
	p.Add(7)
	p.Done()
}
