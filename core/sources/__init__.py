"""Where documents and vectors come from: bundled corpora, files and uploads read into tables (with every limit
checked while reading, in a guarded child process for uploads), the Corpus they become, and vectors made
elsewhere."""
