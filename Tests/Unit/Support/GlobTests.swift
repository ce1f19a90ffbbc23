import EvalGuardTestSupport
import Testing

@testable import EvalGuardSupport

@Suite struct GlobTests {
    @Test func matchesPathsFromTheRepositoryRoot() {
        #expect(Glob("model/").matches("model/weights/a.bin"))
        #expect(Glob("model").matches("model/predict.py"))
        #expect(!Glob("model").matches("models/predict.py"))
        #expect(Glob("prompts/*.txt").matches("prompts/system.txt"))
        #expect(!Glob("prompts/*.txt").matches("prompts/old/system.txt"))
        #expect(Glob("prompts/**/*.txt").matches("prompts/old/system.txt"))
        #expect(Glob("**/*.py").matches("a/b/c.py"))
        #expect(!Glob("*.py").matches("a/b.py"))
        #expect(Glob("./requirements.txt").matches("requirements.txt"))
        #expect(Glob("model?.py").matches("model2.py"))
    }

    @Test func knowsWhichDirectoriesCannotHoldMatches() {
        #expect(Glob("model/**/*.py").mayMatch(below: ["model", "sub"]))
        #expect(!Glob("model/**/*.py").mayMatch(below: ["docs"]))
        #expect(Glob("**/*.py").mayMatch(below: ["docs"]))
        #expect(Glob("src/model").mayMatch(below: ["src", "model", "deep"]))
        #expect(!Glob("src/model").mayMatch(below: ["src", "web"]))
    }
}
