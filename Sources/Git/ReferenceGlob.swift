import CLibgit2

extension Repository {
    /// The names of the references matching a glob (`refs/bisect/good-*`), sorted.
    package func referenceNames(matching glob: String) throws -> [String] {
        LibGit2.ensure()
        var iterator: OpaquePointer?
        _ = try check(git_reference_iterator_glob_new(&iterator, pointer, glob), "git_reference_iterator_glob_new")
        defer { git_reference_iterator_free(iterator) }
        var names: [String] = []
        var name: UnsafePointer<CChar>?
        while try advanced(git_reference_next_name(&name, iterator), "git_reference_next_name") {
            // A name that is not UTF-8 cannot be one git bisect wrote: skip it.
            if let name, let text = String(validatingCString: name) { names.append(text) }
        }
        return names.sorted()
    }
}
