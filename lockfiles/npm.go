package lockfiles

import "errors"

func parseNPM(in Input) (*Inventory, error) {
	return nil, &ParseError{Path: in.Path, Err: errors.New("package-lock.json parser not written yet")}
}
