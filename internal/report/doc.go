// Package report renders a [classify.Report] for people (text) and for
// scripts (JSON, schema version 1). The text form may change between
// versions; the JSON form only adds fields.
package report
