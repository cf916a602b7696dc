//go:build cgo

// Package xsd validates XML documents against an XML Schema with libxml2,
// for the tests of package sbom. It needs cgo and libxml2's development
// files (Debian: libxml2-dev); without cgo, [Compile] returns
// [ErrUnavailable].
//
// Schemas are read from memory with network access turned off: every
// schemaLocation a schema imports must resolve to a local file, relative to
// the base path given to [Compile].
package xsd

/*
#cgo pkg-config: libxml-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

typedef struct {
	char *buf;
	int cap;
	int len;
	int count;
} errbuf;

// collect appends the first few errors, one per line, to an errbuf.
static void collect(void *ctx, const xmlError *err) {
	errbuf *b = ctx;
	b->count++;
	if (b->count > 8 || err == NULL || err->message == NULL || b->len >= b->cap - 1) {
		return;
	}
	int n = snprintf(b->buf + b->len, b->cap - b->len, "%d: %s", err->line, err->message);
	if (n > 0) {
		b->len += n;
		if (b->len > b->cap - 1) b->len = b->cap - 1;
	}
}

static xmlSchemaPtr compile(const char *data, int len, const char *base, char *out, int outcap, int *nerr) {
	errbuf b = {out, outcap, 0, 0};
	out[0] = 0;
	xmlSetStructuredErrorFunc(&b, (xmlStructuredErrorFunc)collect);
	xmlDocPtr doc = xmlReadMemory(data, len, base, NULL, XML_PARSE_NONET);
	xmlSchemaPtr schema = NULL;
	if (doc != NULL) {
		xmlSchemaParserCtxtPtr pc = xmlSchemaNewDocParserCtxt(doc);
		if (pc != NULL) {
			xmlSchemaSetParserStructuredErrors(pc, (xmlStructuredErrorFunc)collect, &b);
			schema = xmlSchemaParse(pc);
			xmlSchemaFreeParserCtxt(pc);
		}
		xmlFreeDoc(doc);
	}
	xmlSetStructuredErrorFunc(NULL, NULL);
	*nerr = b.count;
	return schema;
}

static int validate(xmlSchemaPtr schema, const char *data, int len, char *out, int outcap, int *nerr) {
	errbuf b = {out, outcap, 0, 0};
	out[0] = 0;
	xmlSetStructuredErrorFunc(&b, (xmlStructuredErrorFunc)collect);
	int rc = -1;
	xmlDocPtr doc = xmlReadMemory(data, len, "document.xml", NULL, XML_PARSE_NONET);
	if (doc != NULL) {
		xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
		if (vc != NULL) {
			xmlSchemaSetValidStructuredErrors(vc, (xmlStructuredErrorFunc)collect, &b);
			rc = xmlSchemaValidateDoc(vc, doc);
			xmlSchemaFreeValidCtxt(vc);
		}
		xmlFreeDoc(doc);
	}
	xmlSetStructuredErrorFunc(NULL, NULL);
	*nerr = b.count;
	return rc;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// ErrUnavailable is returned by Compile when the package was built without cgo.
var ErrUnavailable = errors.New("xml schema validation needs cgo and libxml2")

// A Schema is a compiled XML Schema. Its methods may be called from several
// goroutines: libxml2's error hook is global, so calls are serialized.
type Schema struct {
	ptr C.xmlSchemaPtr
}

var mu sync.Mutex

const errCap = 4096

// Compile compiles the XML Schema document data. base is the path the
// schema's relative schemaLocations resolve against (the schema file's own
// path). Network access is off.
func Compile(data []byte, base string) (*Schema, error) {
	if len(data) == 0 {
		return nil, errors.New("empty schema")
	}
	mu.Lock()
	defer mu.Unlock()
	C.xmlInitParser()
	cbase := C.CString(base)
	defer C.free(unsafe.Pointer(cbase))
	out := (*C.char)(C.malloc(errCap))
	defer C.free(unsafe.Pointer(out))
	var nerr C.int
	ptr := C.compile((*C.char)(unsafe.Pointer(&data[0])), C.int(len(data)), cbase, out, errCap, &nerr)
	if ptr == nil || nerr > 0 {
		if ptr != nil {
			C.xmlSchemaFree(ptr)
		}
		return nil, fmt.Errorf("compile %s: %d errors:\n%s", base, int(nerr), strings.TrimSpace(C.GoString(out)))
	}
	s := &Schema{ptr: ptr}
	runtime.AddCleanup(s, func(p C.xmlSchemaPtr) { C.xmlSchemaFree(p) }, ptr)
	return s, nil
}

// Validate validates the XML document doc. The error lists the first few
// problems with their line numbers, and how many there were.
func (s *Schema) Validate(doc []byte) error {
	if len(doc) == 0 {
		return errors.New("empty document")
	}
	mu.Lock()
	defer mu.Unlock()
	out := (*C.char)(C.malloc(errCap))
	defer C.free(unsafe.Pointer(out))
	var nerr C.int
	rc := C.validate(s.ptr, (*C.char)(unsafe.Pointer(&doc[0])), C.int(len(doc)), out, errCap, &nerr)
	runtime.KeepAlive(s)
	if rc != 0 || nerr > 0 {
		return fmt.Errorf("%d errors (rc %d):\n%s", int(nerr), int(rc), strings.TrimSpace(C.GoString(out)))
	}
	return nil
}
