// Package safetext is the one gate every string passes on its way out of
// stackdiff: function names, file paths, states, labels, messages,
// warnings, HTTP error bodies and file names all come from inputs, and an
// input is untrusted. [String] hides URL passwords, caps the length and
// escapes what a terminal, a browser or a text editor would act on; the
// report writers apply it where they emit a string ([Walk] for the values
// they encode, [Writer] for the lines they print), so no writer has to
// remember it field by field.
package safetext
