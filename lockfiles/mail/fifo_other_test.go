//go:build !unix

package mail

import "errors"

func mkfifo(string) error { return errors.New("no FIFOs") }
