package data_test

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/llmperf/workbook/kit/data"
)

func ExampleSiteLog() {
	// 1 GiB would stream the same way; memory use does not depend on the size.
	log := data.SiteLog(64<<10, 1)
	sc := bufio.NewScanner(log)
	for i := 0; i < 5 && sc.Scan(); i++ {
		fmt.Println(strings.SplitN(sc.Text(), ": ", 2)[0])
	}
	n, _ := io.Copy(io.Discard, log)
	fmt.Println(n > 0)
	// Output:
	// timestamp
	// site
	// crew
	// event
	// note
	// true
}

func ExampleWorkload() {
	w := data.Workload(1000, 50, 1.1, 1)
	seen := map[string]int{}
	for _, p := range w {
		seen[p]++
	}
	fmt.Println(len(w), "prompts,", len(seen), "distinct")
	// Output: 1000 prompts, 50 distinct
}

func ExampleDocument() {
	d := data.Document(300, 1)
	fmt.Println(len(strings.Fields(d)), "words in", len(strings.Split(d, "\n\n")), "paragraphs")
	// Output: 300 words in 5 paragraphs
}

func ExampleParaphrases() {
	count := map[data.ProbeKind]int{}
	sets := data.Paraphrases()
	for _, s := range sets {
		for _, p := range s.Probes {
			count[p.Kind]++
		}
	}
	fmt.Println(len(sets), "cached questions; first:", sets[0].Cached)
	for _, k := range data.ProbeKinds() {
		fmt.Printf("%-9s should hit: %-5v %d probes\n", k, k.SameMeaning(), count[k])
	}
	// Output:
	// 33 cached questions; first: When does the concrete pour on level 3 start?
	// surface   should hit: true  28 probes
	// reordered should hit: true  10 probes
	// reworded  should hit: true  34 probes
	// negated   should hit: false 6 probes
	// number    should hit: false 13 probes
	// date      should hit: false 12 probes
	// entity    should hit: false 14 probes
	// opposite  should hit: false 16 probes
	// swapped   should hit: false 7 probes
}

func ExampleNewTask() {
	task := data.NewTask(data.Count, 8, 1)
	fmt.Println(task.Kind, "over", task.Records, "records:", strings.SplitN(task.Input, "\n", 2)[0])
	fmt.Println("right answer:", task.Want)
	// A validator knows the form an answer must have, not the answer: it catches some mistakes and not others.
	for _, answer := range []string{task.Want, "Several records.", task.Mistake(false, 1)} {
		fmt.Printf("%-18q right: %-5v valid: %v\n", answer, task.Grade(answer), data.Count.Validate(answer) == nil)
	}
	// Output:
	// count over 8 records: Event: change_order
	// right answer: 2
	// "2"                right: true  valid: true
	// "Several records." right: false valid: false
	// "1"                right: false valid: true
}
