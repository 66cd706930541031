// Package dvc owns what git-model needs of DVC to hand out a model file whose path DVC tracks:
// the outs recorded in a `.dvc` file or a `dvc.lock`, the remotes of `.dvc/config`, where a
// remote keeps an object in the DVC 2 and DVC 3 layouts, and the `.dir` manifest of a
// directory out with the md5 that names it.
//
// It is pure Go and does no I/O: the caller reads the files from the commit, fetches the bytes
// from the remote and checks them against the md5 given here.
//
// # Outs
//
// A `.dvc` file (DVC 3 shown; DVC 2 writes the same without `hash: md5`):
//
//	outs:
//	- md5: a304afb96060aad90176268345e10355        file: md5 of its bytes
//	  size: 12
//	  hash: md5                                    absent in DVC 2 (legacy md5, see below)
//	  path: data.xml                               relative to the .dvc file's folder
//	- md5: 3863d0e317dee0a55c4e59d2ec0eef33.dir    directory: md5 of its manifest + ".dir"
//	  size: 37891850
//	  nfiles: 2
//	  hash: md5
//	  path: data
//
// A `dvc.lock` (schema 2.0, DVC 2.x and 3.x) keeps the same out entries per stage, a foreach
// or matrix stage appearing once per item as NAME@KEY; the DVC 1 lock has no schema key and
// the stages at the top level:
//
//	schema: '2.0'                  │  train:              (DVC 1)
//	stages:                        │    cmd: python train.py
//	  train:                       │    outs:
//	    cmd: python train.py       │    - path: model.pkl
//	    outs:                      │      md5: 0b6d…
//	    - path: model.pkl
//	      hash: md5
//	      md5: 0b6d…
//	      size: 1024
//
// Out paths in a dvc.lock are relative to the dvc.yaml's folder (or to the stage's wdir when
// dvc.yaml sets one, which the lock does not record).
//
// # Remote layout
//
// An out without `hash: md5` was written by DVC 2 (or DVC 1), whose md5 of a text file was
// taken after turning CRLF into LF ("md5-dos2unix"); DVC 3 still reads and pushes such objects
// in the old place. An out with `hash: md5` is a DVC 3 one, md5 of the raw bytes:
//
//	DVC 3:  <remote>/files/md5/<md5[0:2]>/<md5[2:32]>[.dir]
//	DVC 2:  <remote>/<md5[0:2]>/<md5[2:32]>[.dir]
//
// # Directory manifests
//
// A directory's `.dir` object is a JSON list of its files, sorted by relpath:
//
//	[{"md5": "37b51d194a7513e45b56f6524f2d51f2", "relpath": "bar"}, {"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "foo"}]
//
// and its name is the md5 of exactly these bytes (Python's json.dumps(list, sort_keys=True):
// separators ", " and ": ", non-ASCII escaped as \uXXXX), the same in DVC 2 and DVC 3. A
// manifest written for a cloud-versioned remote carries more keys per entry (size, isexec…)
// but is still named after the two-key form, so check a fetched manifest with DirMD5 of its
// parsed entries rather than with the md5 of the bytes fetched.
package dvc
