//go:build !unix

package main

import (
	"errors"

	"github.com/stackdiff/stackdiff/samples/scenarios"
)

func crashIfAsked() {}

func writeSigquit(s scenarios.Scenario, path string) error {
	return errors.New("-sigquit needs a Unix system")
}
