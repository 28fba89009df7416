//go:build workbook_inprocess

package suite

// inProcess is set by the build tag workbook_inprocess: the checks run in this test binary even when it was
// built without -race, as the mutation run (make mutate) wants, to build each mutant once.
const inProcess = true
