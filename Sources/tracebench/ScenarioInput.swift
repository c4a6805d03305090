import TracebenchScenario

/// Loads and validates a scenario, or ends the verb with exit 2 and every problem on stderr.
func loadScenario(_ path: String) throws -> Scenario {
    do {
        return try ScenarioLoader.load(path: path)
    } catch {
        throw CLIError.failed(.invalidInput, error.description)
    }
}
