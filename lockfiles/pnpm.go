package lockfiles

import "errors"

func parsePnpm(in Input) (*Inventory, error) {
	return nil, &ParseError{Path: in.Path, Err: errors.New("pnpm-lock.yaml parser not written yet")}
}
