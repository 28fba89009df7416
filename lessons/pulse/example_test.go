package pulse_test

import (
	"fmt"

	"github.com/llmperf/workbook/lessons/pulse"
)

// A record's prompt drops its timestamp, so a routine entry written the same way every day is the same request.
func ExampleRecordPrompt() {
	monday := "timestamp: 2025-03-03T06:05:00Z\nsite: North Yard\nevent: gates_opened"
	tuesday := "timestamp: 2025-03-04T06:02:00Z\nsite: North Yard\nevent: gates_opened"
	fmt.Println(pulse.RecordPrompt(monday) == pulse.RecordPrompt(tuesday))
	fmt.Printf("%q\n", pulse.RecordPrompt(monday)[len(pulse.RecordPromptPrefix):])
	// Output:
	// true
	// "site: North Yard\nevent: gates_opened"
}

func ExampleSplitRecords() {
	for _, r := range pulse.SplitRecords("a\r\nb\n\n \n\nc\n") {
		fmt.Printf("%q\n", r)
	}
	// Output:
	// "a\nb"
	// "c"
}
