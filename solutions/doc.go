// Package solutions holds the course's reference implementations: one folder per topic (solutions/caching, …)
// with the same exported API as the learner's stubs in exercises/, checked by the same suite from lessons/.
//
// go test ./solutions runs every solution against its suite: each topic has a file TOPIC_test.go here that
// runs the topic's suite on its solution, so this one command checks them all.
package solutions
