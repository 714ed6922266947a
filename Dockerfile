# The app image used by docker-compose.yml (users with Docker).
FROM python:3.11-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir -e .
ENV KG_HOME=/data
EXPOSE 8501
CMD ["sh", "-c", "kg build && streamlit run app.py --server.address 0.0.0.0 --server.headless true"]
