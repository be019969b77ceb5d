import Foundation
import FrontlineCore
import FrontlineDomain

extension ClassificationRepository {
    /// Stores a model `frontline train` wrote (its JSON); the classifiers load the newest.
    public func storeModel(json: String, trainedOn examples: Int) throws {
        try connection.execute("INSERT INTO classifier_models (trained_on, model) VALUES ($1, $2::jsonb)", [examples, json])
    }
}
