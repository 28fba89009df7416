package redact_test

import (
	"errors"
	"fmt"
	"os"

	"github.com/llmperf/workbook/kit/redact"
)

func Example() {
	redact.Add("sk-example-not-a-real-key-42") // done once, where the key is read (lessons/llm does it)
	redact.AddURL("https://gateway.example/v1?api-key=gw-example-secret")

	err := errors.New(`401: Incorrect API key provided: sk-example-not-a-real-key-42 for gw-example-secret`)
	fmt.Println(redact.Error(err))
	fmt.Println(redact.String(`Post "https://me:hunter2@proxy.example/v1?token=abc123": EOF`))

	w := redact.NewWriter(os.Stdout)
	fmt.Fprintf(w, "key %s", "sk-example-")
	fmt.Fprintf(w, "%s\n", "not-a-real-key-42") // the key in two writes
	w.Flush()
	// Output:
	// 401: Incorrect API key provided: [REDACTED] for [REDACTED]
	// Post "https://[REDACTED]@proxy.example/v1?token=[REDACTED]": EOF
	// key [REDACTED]
}
